/** Outliers: rows ranked by a per-row score, e.g. −ELBO (reconstruction + KL, in nats). */
import { LatentError, checkInteger } from './errors';
import { firstNonFinite, type Vector } from './table';
import { TopK } from './top-k';

/** z_i = (s_i − mean)/std (population std); all zeros when every score is equal. */
export function zScores(scores: Vector): Float64Array {
  const bad = firstNonFinite(scores);
  if (bad >= 0) {
    throw new LatentError('non-finite', `Score ${bad} is ${String(scores[bad])}.`, { row: bad });
  }
  const n = scores.length;
  const out = new Float64Array(n);
  if (n === 0) return out;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += scores[i] as number;
  mean /= n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += ((scores[i] as number) - mean) ** 2;
  const std = Math.sqrt(ss / n);
  if (std === 0) return out;
  for (let i = 0; i < n; i++) out[i] = ((scores[i] as number) - mean) / std;
  return out;
}

export interface Outlier {
  index: number;
  id: number;
  score: number;
  /** Standard score among all rows. */
  z: number;
}

/**
 * The k rows with the highest score (ties: lower row first), each with its z-score.
 * @param ids image id per row (same length as scores).
 */
export function rankOutliers(
  scores: Vector,
  ids: Int32Array | readonly number[],
  k = 20,
): Outlier[] {
  if (ids.length !== scores.length) {
    throw new LatentError('bad-shape', `${scores.length} scores but ${ids.length} image ids.`);
  }
  checkInteger(k, 'k', 1);
  if (k > scores.length) {
    throw new LatentError('bad-k', `k = ${k} but there are only ${scores.length} images.`, {
      k,
      available: scores.length,
    });
  }
  const z = zScores(scores);
  const heap = new TopK(k);
  for (let i = 0; i < scores.length; i++) heap.push(i, -(scores[i] as number));
  return heap.sorted().map(({ index }) => ({
    index,
    id: ids[index] as number,
    score: scores[index] as number,
    z: z[index] as number,
  }));
}
