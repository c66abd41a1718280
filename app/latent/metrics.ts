/**
 * Distances between latent codes and between the diagonal Gaussian posteriors
 * q = N(μ, diag σ²) the encoder outputs. Everything works from log σ² (never squaring σ) and
 * accumulates in float64 (JS numbers); per-dimension terms use expm1/log1p where a naive form
 * would cancel.
 *
 * Hot loops call the `…At` kernels with offsets into flat arrays, so a scan of N rows allocates
 * nothing; `distance()` is the checked convenience form for single pairs.
 */
import { LATENT_METRICS, type LatentMetric } from '../contract';
import { LatentError } from './errors';
import { checkVector, type Vector } from './table';

/** The metrics, as the contract names them (one list for the API, the CLI and this code). */
export const METRICS = LATENT_METRICS;
export type Metric = LatentMetric;

/** Metrics between posteriors: they need a log σ² for both sides. */
export const POSTERIOR_METRICS: readonly Metric[] = [
  'symmetric-kl',
  'bhattacharyya',
  'wasserstein',
];

export function isPosteriorMetric(metric: Metric): boolean {
  return POSTERIOR_METRICS.includes(metric);
}

const ALIASES: Record<string, Metric> = {
  euclidean: 'euclidean',
  l2: 'euclidean',
  cosine: 'cosine',
  cos: 'cosine',
  kl: 'symmetric-kl',
  'symmetric-kl': 'symmetric-kl',
  symkl: 'symmetric-kl',
  bhattacharyya: 'bhattacharyya',
  wasserstein: 'wasserstein',
  w2: 'wasserstein',
};

/** Parses a metric name as users type it (`kl`, `w2`, `cos` and `l2` are accepted aliases). */
export function parseMetric(name: string): Metric {
  const m = ALIASES[String(name).toLowerCase()];
  if (m === undefined) {
    throw new LatentError(
      'bad-option',
      `Unknown metric "${name}": use one of ${METRICS.join(', ')} (or kl, w2).`,
    );
  }
  return m;
}

/** σ = exp(½ log σ²): the one place σ is derived from a log-variance. */
export function sigmaFromLogvar(logvar: number): number {
  return Math.exp(0.5 * logvar);
}

const LN2 = Math.LN2;

/**
 * A distance between row a (offset aOff into aMu/aLv) and row b, both of length d. Mean-only
 * metrics ignore the log-variance arrays.
 */
export type DistanceKernel = (
  aMu: Vector,
  aLv: Vector,
  aOff: number,
  bMu: Vector,
  bLv: Vector,
  bOff: number,
  d: number,
) => number;

/** Euclidean distance on μ: ‖μa − μb‖₂. */
export const euclideanAt: DistanceKernel = (aMu, _aLv, aOff, bMu, _bLv, bOff, d) => {
  let s = 0;
  for (let j = 0; j < d; j++) {
    const diff = (aMu[aOff + j] as number) - (bMu[bOff + j] as number);
    s += diff * diff;
  }
  return Math.sqrt(s);
};

/**
 * Cosine distance on μ: 1 − μa·μb / (‖μa‖‖μb‖), in [0, 2]. A zero vector has no direction: its
 * distance to anything is defined as 1 (neither similar nor opposite).
 */
export const cosineAt: DistanceKernel = (aMu, _aLv, aOff, bMu, _bLv, bOff, d) => {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let j = 0; j < d; j++) {
    const x = aMu[aOff + j] as number;
    const y = bMu[bOff + j] as number;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  if (na === 0 || nb === 0) return 1;
  const c = dot / Math.sqrt(na * nb);
  return Math.min(2, Math.max(0, 1 - c));
};

/**
 * Symmetric KL between diagonal Gaussians, KL(p‖q) + KL(q‖p)
 *   = ½ Σ [ σp²/σq² + σq²/σp² − 2 + (μp − μq)² (1/σp² + 1/σq²) ],
 * with δ = log σp² − log σq²: σp²/σq² + σq²/σp² − 2 = 2(cosh δ − 1) = 4 sinh²(δ/2) (no cancellation).
 */
export const symmetricKlAt: DistanceKernel = (aMu, aLv, aOff, bMu, bLv, bOff, d) => {
  let s = 0;
  for (let j = 0; j < d; j++) {
    const lp = aLv[aOff + j] as number;
    const lq = bLv[bOff + j] as number;
    const delta = lp - lq;
    const diff = (aMu[aOff + j] as number) - (bMu[bOff + j] as number);
    const sh = Math.sinh(0.5 * delta);
    s += 4 * sh * sh + diff * diff * (Math.exp(-lp) + Math.exp(-lq));
  }
  return 0.5 * s;
};

/** ln cosh(|δ|/2), given |δ| and log1p(e^−|δ|) − ln 2. */
function logCoshHalf(abs: number, soft: number): number {
  if (abs < 1) {
    const sh = Math.sinh(0.25 * abs);
    return Math.log1p(2 * sh * sh);
  }
  return 0.5 * abs + soft;
}

/**
 * Bhattacharyya distance between diagonal Gaussians,
 *   ⅛ Σ (μp − μq)²/σ² + ½ Σ ln(σ² / (σp σq)),  σ² = (σp² + σq²)/2 per dim.
 * In log space with δ = log σp² − log σq²: ln σ² = max(lp, lq) + log1p(e^−|δ|) − ln 2, and
 * ln(σ²/(σp σq)) = ln cosh(δ/2), computed as log1p(2 sinh²(δ/4)) for |δ| < 1 (no cancellation
 * near δ = 0) and as |δ|/2 + log1p(e^−|δ|) − ln 2 otherwise (no overflow).
 */
export const bhattacharyyaAt: DistanceKernel = (aMu, aLv, aOff, bMu, bLv, bOff, d) => {
  let s = 0;
  for (let j = 0; j < d; j++) {
    const lp = aLv[aOff + j] as number;
    const lq = bLv[bOff + j] as number;
    const abs = Math.abs(lp - lq);
    const soft = Math.log1p(Math.exp(-abs)) - LN2;
    const logMeanVar = Math.max(lp, lq) + soft;
    const diff = (aMu[aOff + j] as number) - (bMu[bOff + j] as number);
    s += 0.125 * diff * diff * Math.exp(-logMeanVar) + 0.5 * logCoshHalf(abs, soft);
  }
  return s;
};

/**
 * 2-Wasserstein distance between diagonal Gaussians, sqrt(Σ (μp − μq)² + (σp − σq)²); σp − σq is
 * computed as σq · expm1(δ/2) so close σs do not cancel. Equals the Euclidean distance between the
 * concatenated vectors [μ, σ] (what the HNSW index uses).
 */
export const wassersteinAt: DistanceKernel = (aMu, aLv, aOff, bMu, bLv, bOff, d) => {
  let s = 0;
  for (let j = 0; j < d; j++) {
    const lp = aLv[aOff + j] as number;
    const lq = bLv[bOff + j] as number;
    const diff = (aMu[aOff + j] as number) - (bMu[bOff + j] as number);
    const dSigma = sigmaFromLogvar(lq) * Math.expm1(0.5 * (lp - lq));
    s += diff * diff + dSigma * dSigma;
  }
  return Math.sqrt(s);
};

const KERNELS: Record<Metric, DistanceKernel> = {
  euclidean: euclideanAt,
  cosine: cosineAt,
  'symmetric-kl': symmetricKlAt,
  bhattacharyya: bhattacharyyaAt,
  wasserstein: wassersteinAt,
};

/** The kernel of a metric. */
export function kernelFor(metric: Metric): DistanceKernel {
  const k = KERNELS[metric];
  if (k === undefined) throw new LatentError('bad-option', `Unknown metric "${String(metric)}".`);
  return k;
}

/** A diagonal Gaussian posterior. */
export interface Posterior {
  mu: Vector;
  logvar: Vector;
}

function isPosterior(x: Posterior | Vector): x is Posterior {
  return typeof x === 'object' && x !== null && 'mu' in x && 'logvar' in x;
}

/**
 * The distance between two codes (μ vectors) or two posteriors, checked: equal lengths, finite
 * values, and a log σ² on both sides for the posterior metrics.
 */
export function distance(metric: Metric, p: Posterior | Vector, q: Posterior | Vector): number {
  const kernel = kernelFor(metric);
  const pm = isPosterior(p) ? p.mu : p;
  const qm = isPosterior(q) ? q.mu : q;
  const d = pm.length;
  const a = checkVector(pm, d, 'The first μ');
  const b = checkVector(qm, d, 'The second μ');
  if (!isPosteriorMetric(metric)) return kernel(a, a, 0, b, b, 0, d);
  if (!isPosterior(p) || !isPosterior(q)) {
    throw new LatentError(
      'needs-logvar',
      `The ${metric} distance compares posteriors: give μ and log σ² for both sides.`,
    );
  }
  const la = checkVector(p.logvar, d, 'The first log σ²');
  const lb = checkVector(q.logvar, d, 'The second log σ²');
  return kernel(a, la, 0, b, lb, 0, d);
}

/**
 * Directional KL(p‖q) = ½ Σ [ log σq² − log σp² + σp²/σq² − 1 + (μp − μq)²/σq² ], with the first
 * three terms as expm1(δ) − δ (δ = log σp² − log σq²).
 */
export function klDivergence(p: Posterior, q: Posterior): number {
  const d = p.mu.length;
  const pm = checkVector(p.mu, d, 'p.μ');
  const pl = checkVector(p.logvar, d, 'p.log σ²');
  const qm = checkVector(q.mu, d, 'q.μ');
  const ql = checkVector(q.logvar, d, 'q.log σ²');
  let s = 0;
  for (let j = 0; j < d; j++) {
    const delta = (pl[j] as number) - (ql[j] as number);
    const diff = (pm[j] as number) - (qm[j] as number);
    s += Math.expm1(delta) - delta + diff * diff * Math.exp(-(ql[j] as number));
  }
  return 0.5 * s;
}

/**
 * One dimension's KL(N(μ, σ²) ‖ N(0, 1)) = ½ (μ² + σ² − 1 − log σ²), with σ² − 1 − log σ² as
 * expm1(log σ²) − log σ² (exact for σ² near 1).
 */
export function klToPriorTerm(mu: number, logvar: number): number {
  return 0.5 * (mu * mu + Math.expm1(logvar) - logvar);
}

/** KL(q(z|x) ‖ N(0, I)) per dimension (sum it for the total). */
export function klToPrior(mu: Vector, logvar: Vector): Float64Array {
  const d = mu.length;
  const m = checkVector(mu, d, 'μ');
  const l = checkVector(logvar, d, 'log σ²');
  const out = new Float64Array(d);
  for (let j = 0; j < d; j++) out[j] = klToPriorTerm(m[j] as number, l[j] as number);
  return out;
}
