/**
 * Decode at a point of a nonlinear map (UMAP/t-SNE have no inverse): the latent code is the
 * inverse-distance-weighted mean of the μ of the k map points nearest to it,
 *   z = Σ_i w_i μ_i / Σ_i w_i,  w_i = 1 / ‖p − y_i‖^power  (default k = 8, power = 1),
 * and exactly μ_i when the point is on a map point. The k nearest map points come from the same
 * exact search as everything else (a 2-D point table).
 */
import { LatentError, checkInteger } from './errors';
import { exactKnn } from './knn-exact';
import type { MapResult } from './maps';
import type { Neighbour } from './query';
import { checkTableShape, checkVector, pointTable, type LatentTable, type Vector } from './table';

export interface MapDecodeOptions {
  /** Map points blended (default 8, at most the map's size). */
  k?: number;
  /** Exponent of the inverse distance (default 1). */
  power?: number;
}

export interface MapDecodeResult {
  /** The interpolated latent code, [d]. */
  mu: Float32Array;
  /** The map points used (index into map.rows), nearest first, with their weights (sum 1). */
  neighbours: (Neighbour & { weight: number; row: number })[];
}

/** The latent code at a map point (see the module comment). */
export function latentAtMapPoint(
  table: LatentTable,
  map: MapResult,
  point: Vector,
  options: MapDecodeOptions = {},
): MapDecodeResult {
  checkTableShape(table);
  if (map.coords.length !== map.rows.length * map.dims) {
    throw new LatentError(
      'bad-shape',
      `The map has ${map.coords.length} coordinates for ${map.rows.length} rows.`,
    );
  }
  const p = checkVector(point, map.dims, 'The map point');
  const k = Math.min(options.k ?? 8, map.rows.length);
  checkInteger(k, 'k', 1);
  const power = options.power ?? 1;
  if (!(power > 0) || !Number.isFinite(power))
    throw new LatentError('bad-option', `power must be > 0, got ${power}.`);
  const near = exactKnn(pointTable(map.coords, map.dims), { mu: p }, { k });
  const d = table.d;
  const exact = near[0] !== undefined && near[0].distance === 0 ? near[0] : undefined;
  const weights = near.map((nb) => (exact ? (nb === exact ? 1 : 0) : 1 / nb.distance ** power));
  const total = weights.reduce((a, b) => a + b, 0);
  const acc = new Float64Array(d);
  near.forEach((nb, i) => {
    const row = map.rows[nb.index] as number;
    const w = (weights[i] as number) / total;
    for (let j = 0; j < d; j++) acc[j] = (acc[j] as number) + w * (table.mu[row * d + j] as number);
  });
  return {
    mu: Float32Array.from(acc),
    neighbours: near.map((nb, i) => {
      const row = map.rows[nb.index] as number;
      return {
        index: nb.index,
        row,
        id: table.ids[row] as number,
        distance: nb.distance,
        weight: (weights[i] as number) / total,
      };
    }),
  };
}
