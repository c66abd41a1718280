/**
 * Paths through latent space between two or more codes, and how far each frame is from the codes
 * of real images (the on-manifold cue of Latent Space Cartography: a frame far from every μ
 * decodes from a region the decoder never saw).
 */
import { LatentError, checkInteger } from './errors';
import { exactKnn } from './knn-exact';
import type { Metric } from './metrics';
import type { Neighbour } from './query';
import { checkVector, type LatentTable, type Vector } from './table';

export type InterpolationMethod = 'linear' | 'slerp';

export interface InterpolateOptions {
  /** Frames per segment, both ends included (≥ 2; default 8). */
  steps?: number;
  /** Default 'linear'. */
  method?: InterpolationMethod;
}

/** Below this sin ω the two directions are (anti)parallel and slerp falls back to lerp. */
export const SLERP_PARALLEL_EPS = 1e-6;

/** (1 − t)·a + t·b. */
export function lerp(a: Float64Array, b: Float64Array, t: number): Float64Array {
  const out = new Float64Array(a.length);
  for (let j = 0; j < a.length; j++) out[j] = (1 - t) * (a[j] as number) + t * (b[j] as number);
  return out;
}

/**
 * Spherical interpolation (White 2016, for VAE latents) of the unnormalised vectors:
 *   slerp(a, b; t) = sin((1 − t)ω)/sin ω · a + sin(tω)/sin ω · b,  cos ω = â·b̂.
 * When sin ω < SLERP_PARALLEL_EPS (parallel, anti-parallel or a zero vector) the great circle is
 * undefined and this returns lerp(a, b; t).
 */
export function slerp(a: Float64Array, b: Float64Array, t: number): Float64Array {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let j = 0; j < a.length; j++) {
    dot += (a[j] as number) * (b[j] as number);
    na += (a[j] as number) ** 2;
    nb += (b[j] as number) ** 2;
  }
  if (na === 0 || nb === 0) return lerp(a, b, t);
  const cos = Math.min(1, Math.max(-1, dot / Math.sqrt(na * nb)));
  const omega = Math.acos(cos);
  const sin = Math.sin(omega);
  if (sin < SLERP_PARALLEL_EPS) return lerp(a, b, t);
  const wa = Math.sin((1 - t) * omega) / sin;
  const wb = Math.sin(t * omega) / sin;
  const out = new Float64Array(a.length);
  for (let j = 0; j < a.length; j++) out[j] = wa * (a[j] as number) + wb * (b[j] as number);
  return out;
}

export interface LatentPath {
  /** Frames, row-major [count, d]. */
  frames: Float32Array;
  count: number;
  d: number;
  /** For each frame: its segment and position t in [0, 1] along it. */
  segment: number[];
  t: number[];
}

/**
 * A path through `points` (2 or more latent vectors of equal length): each segment has `steps`
 * frames with t = i/(steps − 1), the shared endpoint of consecutive segments appearing once, so
 * there are (P − 1)(steps − 1) + 1 frames and the first and last are exactly the end points.
 */
export function interpolate(
  points: readonly Vector[],
  options: InterpolateOptions = {},
): LatentPath {
  const steps = options.steps ?? 8;
  const method = options.method ?? 'linear';
  checkInteger(steps, 'steps', 2, 10_000);
  if (method !== 'linear' && method !== 'slerp') {
    throw new LatentError(
      'bad-option',
      `Unknown interpolation "${String(method)}": linear or slerp.`,
    );
  }
  if (!Array.isArray(points) || points.length < 2) {
    throw new LatentError('not-enough-rows', 'Interpolation needs at least two latent vectors.');
  }
  const d = (points[0] as Vector).length;
  const vs = points.map((p, i) => checkVector(p, d, `Latent vector ${i + 1}`));
  const count = (vs.length - 1) * (steps - 1) + 1;
  const frames = new Float32Array(count * d);
  const segment: number[] = [];
  const ts: number[] = [];
  const step = method === 'slerp' ? slerp : lerp;
  let f = 0;
  for (let s = 0; s < vs.length - 1; s++) {
    const a = vs[s] as Float64Array;
    const b = vs[s + 1] as Float64Array;
    for (let i = s === 0 ? 0 : 1; i < steps; i++) {
      const t = i / (steps - 1);
      // The end points are copied exactly rather than computed.
      const v = i === 0 ? a : i === steps - 1 ? b : step(a, b, t);
      frames.set(v, f * d);
      segment.push(s);
      ts.push(t);
      f++;
    }
  }
  return { frames, count, d, segment, t: ts };
}

/**
 * For each frame (row-major [count, table.d]), the nearest row of the table by `metric` on μ
 * (default Euclidean) and its distance.
 */
export function onManifoldDistances(
  frames: Float32Array,
  table: LatentTable,
  metric: Extract<Metric, 'euclidean' | 'cosine'> = 'euclidean',
): Neighbour[] {
  if (frames.length % table.d !== 0) {
    throw new LatentError(
      'bad-shape',
      `The frames have ${frames.length} values, not a whole number of ${table.d}-dim codes.`,
    );
  }
  if (table.n === 0) {
    throw new LatentError(
      'not-enough-rows',
      'The latent table is empty: no image to compare with.',
    );
  }
  const out: Neighbour[] = [];
  for (let f = 0; f < frames.length / table.d; f++) {
    const mu = frames.subarray(f * table.d, (f + 1) * table.d);
    out.push(exactKnn(table, { mu }, { k: 1, metric })[0] as Neighbour);
  }
  return out;
}
