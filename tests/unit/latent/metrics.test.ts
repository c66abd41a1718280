import { describe, expect, it } from 'vitest';
import {
  LatentError,
  METRICS,
  distance,
  klDivergence,
  klToPrior,
  parseMetric,
  sigmaFromLogvar,
  type Posterior,
} from '../../../app/latent';

// Independent reference formulas, written with σ directly (not log-space).
function refKl(p: Posterior, q: Posterior): number {
  let s = 0;
  for (let j = 0; j < p.mu.length; j++) {
    const sp = Math.sqrt(Math.exp(p.logvar[j] as number));
    const sq = Math.sqrt(Math.exp(q.logvar[j] as number));
    const dm = (p.mu[j] as number) - (q.mu[j] as number);
    s += Math.log(sq / sp) + (sp * sp + dm * dm) / (2 * sq * sq) - 0.5;
  }
  return s;
}
function refBhatt(p: Posterior, q: Posterior): number {
  let a = 0;
  let b = 0;
  for (let j = 0; j < p.mu.length; j++) {
    const vp = Math.exp(p.logvar[j] as number);
    const vq = Math.exp(q.logvar[j] as number);
    const v = (vp + vq) / 2;
    const dm = (p.mu[j] as number) - (q.mu[j] as number);
    a += (dm * dm) / v;
    b += Math.log(v / Math.sqrt(vp * vq));
  }
  return a / 8 + b / 2;
}
function refW2(p: Posterior, q: Posterior): number {
  let s = 0;
  for (let j = 0; j < p.mu.length; j++) {
    const dm = (p.mu[j] as number) - (q.mu[j] as number);
    const ds = Math.exp((p.logvar[j] as number) / 2) - Math.exp((q.logvar[j] as number) / 2);
    s += dm * dm + ds * ds;
  }
  return Math.sqrt(s);
}

const p: Posterior = { mu: [0.5, -1.2, 2.0], logvar: [-1.0, 0.3, -2.5] };
const q: Posterior = { mu: [-0.25, 0.4, 1.5], logvar: [0.2, -0.7, -1.5] };

describe('metrics', () => {
  it('Euclidean and cosine on μ match their formulas', () => {
    const a = [3, 4, 0];
    const b = [0, 0, 12];
    expect(distance('euclidean', a, b)).toBeCloseTo(13, 12);
    expect(distance('cosine', a, b)).toBeCloseTo(1, 12);
    expect(distance('cosine', [1, 2], [2, 4])).toBeCloseTo(0, 12);
    expect(distance('cosine', [1, 2], [-1, -2])).toBeCloseTo(2, 12);
    const c = [1, 2, 3];
    const e = [-2, 0.5, 1];
    const cos = (1 * -2 + 2 * 0.5 + 3 * 1) / (Math.hypot(...c) * Math.hypot(...e));
    expect(distance('cosine', c, e)).toBeCloseTo(1 - cos, 12);
    // A zero vector has no direction: defined as distance 1.
    expect(distance('cosine', [0, 0], [1, 1])).toBe(1);
  });

  it('KL(p‖q), symmetric KL, Bhattacharyya and W2 match the closed forms', () => {
    expect(klDivergence(p, q)).toBeCloseTo(refKl(p, q), 12);
    expect(distance('symmetric-kl', p, q)).toBeCloseTo(refKl(p, q) + refKl(q, p), 12);
    expect(distance('bhattacharyya', p, q)).toBeCloseTo(refBhatt(p, q), 12);
    expect(distance('wasserstein', p, q)).toBeCloseTo(refW2(p, q), 12);
  });

  it('known numbers for 1-D Gaussians', () => {
    // N(0,1) vs N(1,1): KL = ½, symmetric 1, Bhattacharyya ⅛, W2 1.
    const a = { mu: [0], logvar: [0] };
    const b = { mu: [1], logvar: [0] };
    expect(klDivergence(a, b)).toBeCloseTo(0.5, 14);
    expect(distance('symmetric-kl', a, b)).toBeCloseTo(1, 14);
    expect(distance('bhattacharyya', a, b)).toBeCloseTo(0.125, 14);
    expect(distance('wasserstein', a, b)).toBeCloseTo(1, 14);
    // N(0,1) vs N(0,4): KL = ln2 + 1/8 − ½; W2 = |1 − 2| = 1; B = ½ ln(2.5/2).
    const c = { mu: [0], logvar: [Math.log(4)] };
    expect(klDivergence(a, c)).toBeCloseTo(Math.log(2) + 1 / 8 - 0.5, 14);
    expect(distance('wasserstein', a, c)).toBeCloseTo(1, 14);
    expect(distance('bhattacharyya', a, c)).toBeCloseTo(0.5 * Math.log(2.5 / 2), 14);
  });

  it('identity and symmetry for every metric', () => {
    for (const m of METRICS) {
      expect(distance(m, p, p)).toBeCloseTo(0, 12);
      expect(distance(m, p, q)).toBeCloseTo(distance(m, q, p), 12);
      expect(distance(m, p, q)).toBeGreaterThan(0);
    }
    expect(klDivergence(p, q)).not.toBeCloseTo(klDivergence(q, p), 3);
  });

  it('stays accurate for nearly equal variances and extreme log-variances', () => {
    const a = { mu: [0], logvar: [1e-9] };
    const b = { mu: [0], logvar: [0] };
    // symKL = cosh(δ) − 1 ≈ δ²/2 per dim (the naive ratio form loses every digit here).
    expect(distance('symmetric-kl', a, b) / 0.5e-18).toBeCloseTo(1, 12);
    // Bhattacharyya = ½ ln cosh(δ/2) ≈ δ²/16.
    expect(distance('bhattacharyya', a, b) / (1e-18 / 16)).toBeCloseTo(1, 4);
    // W2 = |σa − σb| ≈ δ/2.
    expect(distance('wasserstein', a, b) / 0.5e-9).toBeCloseTo(1, 6);
    const far = { mu: [0], logvar: [-60] };
    const wide = { mu: [0], logvar: [60] };
    expect(Number.isFinite(distance('bhattacharyya', far, wide))).toBe(true);
    expect(distance('bhattacharyya', far, wide)).toBeCloseTo(0.5 * (60 - Math.log(2)), 8);
  });

  it('KL to the prior per dimension', () => {
    const kl = klToPrior([0, 1, -0.5], [0, 0, Math.log(0.25)]);
    expect(kl[0]).toBeCloseTo(0, 15);
    expect(kl[1]).toBeCloseTo(0.5, 15);
    expect(kl[2]).toBeCloseTo(0.5 * (0.25 + 0.25 - 1 - Math.log(0.25)), 14);
    expect(sigmaFromLogvar(Math.log(9))).toBeCloseTo(3, 14);
  });

  it('refuses bad input with typed errors', () => {
    expect(() => distance('euclidean', [1, 2], [1])).toThrow(
      /has 1 values, the latent space has 2/,
    );
    expect(() => distance('euclidean', [1, NaN], [1, 2])).toThrow(LatentError);
    expect(() => distance('symmetric-kl', [1], [2])).toThrow(/give μ and log σ²/);
    expect(() => distance('wasserstein', p, { mu: q.mu, logvar: [0, Infinity, 0] })).toThrow(
      /Infinity at dim 1/,
    );
    expect(parseMetric('KL')).toBe('symmetric-kl');
    expect(parseMetric('w2')).toBe('wasserstein');
    try {
      parseMetric('manhattan');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(LatentError);
      expect((e as LatentError).code).toBe('BAD_REQUEST');
      expect((e as LatentError).reason).toBe('bad-option');
    }
  });
});
