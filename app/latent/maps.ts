/**
 * 2-D (or k-D) maps of the library's μ by UMAP and t-SNE: async, seeded (same seed and data →
 * same map), with progress and an AbortSignal checked between optimisation epochs. PCA, the
 * instant map, is in pca.ts; decoding at a map point is in map-decode.ts.
 *
 * Libraries:
 * - UMAP: `umap-js` (PAIR-code, MIT, pure JS): accepts a `random` function, so a seeded uniform
 *   makes the neighbour graph (NN-descent, RP trees) and the layout reproducible; exposes
 *   `initializeFit` + `step`, so we yield between epochs. `initializeFit` (the kNN graph) is one
 *   synchronous call: cancellation takes effect after it.
 * - t-SNE: `@keckelt/tsne` (MIT, TypeScript port of Karpathy's tsnejs, 2021). Of the npm options,
 *   `tsne-js` (2016, Apache-2.0, ndarray-based) is unmaintained and not seedable, and druidjs is
 *   LGPL; none implements Barnes-Hut. `@keckelt/tsne` is exact t-SNE — O(N²) memory and O(N²) per
 *   iteration — so this module refuses more than `maxPoints` rows (default 3,000: ~290 MB of
 *   float64 matrices) with `too-large`; pass a sample of rows for larger libraries. It draws its
 *   initial layout from `Math.random` through its public `gaussRandom` method, which we replace on
 *   the instance with a seeded normal source: that is what makes it deterministic.
 */
import { TSNE } from '@keckelt/tsne';
import { UMAP } from 'umap-js';
import { LatentError, checkInteger, throwIfAborted, yieldToEventLoop } from './errors';
import { seededNormal, seededUniform } from './random';
import { checkRow, checkTableShape, type LatentTable } from './table';

export interface MapOptions {
  /** Output dimensions (default 2). */
  dims?: number;
  /** Default 1. */
  seed?: number;
  /** Only these rows (default all), e.g. a sample of a large library. */
  rows?: readonly number[];
  signal?: AbortSignal;
  /** Called after each optimisation epoch/iteration batch. */
  onProgress?: (done: number, total: number) => void;
}

export interface MapResult {
  method: 'umap' | 'tsne';
  /** Rows of the table mapped, in order. */
  rows: number[];
  dims: number;
  /** Map coordinates, row-major [rows.length, dims]. */
  coords: Float32Array;
}

function inputRows(
  table: LatentTable,
  options: MapOptions,
  min: number,
  what: string,
): { rows: number[]; x: number[][] } {
  checkTableShape(table);
  const rows =
    options.rows === undefined ? Array.from({ length: table.n }, (_, i) => i) : [...options.rows];
  rows.forEach((r) => checkRow(table, r, 'Map row'));
  if (rows.length < min) {
    throw new LatentError(
      'not-enough-rows',
      `${what} needs at least ${min} images, got ${rows.length}.`,
    );
  }
  const d = table.d;
  const x = rows.map((r) => Array.from(table.mu.subarray(r * d, (r + 1) * d)));
  return { rows, x };
}

function flatten(points: number[][], dims: number): Float32Array {
  const out = new Float32Array(points.length * dims);
  points.forEach((p, i) => {
    for (let j = 0; j < dims; j++) out[i * dims + j] = p[j] as number;
  });
  return out;
}

/**
 * Runs `steps` optimisation steps, reporting progress, honouring the abort signal and yielding
 * to the event loop every 10 steps.
 */
async function optimise(
  steps: number,
  step: () => void,
  options: MapOptions,
  what: string,
): Promise<void> {
  for (let i = 0; i < steps; i++) {
    if (i % 10 === 0) {
      throwIfAborted(options.signal, what);
      options.onProgress?.(i, steps);
      await yieldToEventLoop();
    }
    step();
  }
  throwIfAborted(options.signal, what);
  options.onProgress?.(steps, steps);
}

export interface UmapOptions extends MapOptions {
  /** Neighbourhood size (default 15, clamped to N − 1). */
  nNeighbors?: number;
  /** Default 0.1. */
  minDist?: number;
  /** Default 1. */
  spread?: number;
  /** Optimisation epochs (default: umap-js's, 500 below 10k points, else 200). */
  nEpochs?: number;
}

/** UMAP of the table's μ (see the module comment). */
export async function umapMap(table: LatentTable, options: UmapOptions = {}): Promise<MapResult> {
  const dims = options.dims ?? 2;
  checkInteger(dims, 'dims', 1, 3);
  const { rows, x } = inputRows(table, options, 3, 'UMAP');
  const nNeighbors = Math.min(options.nNeighbors ?? 15, rows.length - 1);
  checkInteger(nNeighbors, 'nNeighbors', 2);
  if (options.nEpochs !== undefined) checkInteger(options.nEpochs, 'nEpochs', 1, 100_000);
  throwIfAborted(options.signal, 'The UMAP map');
  const umap = new UMAP({
    nComponents: dims,
    nNeighbors,
    minDist: options.minDist ?? 0.1,
    spread: options.spread ?? 1,
    random: seededUniform(options.seed ?? 1),
    ...(options.nEpochs === undefined ? {} : { nEpochs: options.nEpochs }),
  });
  await optimise(umap.initializeFit(x), () => umap.step(), options, 'The UMAP map');
  return { method: 'umap', rows, dims, coords: flatten(umap.getEmbedding(), dims) };
}

export interface TsneOptions extends MapOptions {
  /** Default 30, clamped to (N − 1)/3. */
  perplexity?: number;
  /** Gradient steps (default 500). */
  iterations?: number;
  /** Learning rate (default 10, the package's). */
  learningRate?: number;
  /** Refuse more rows than this (default 3,000; exact t-SNE is O(N²)). */
  maxPoints?: number;
}

/** Exact t-SNE of the table's μ (see the module comment for the size limit). */
export async function tsneMap(table: LatentTable, options: TsneOptions = {}): Promise<MapResult> {
  const dims = options.dims ?? 2;
  checkInteger(dims, 'dims', 1, 3);
  const iterations = options.iterations ?? 500;
  checkInteger(iterations, 'iterations', 1, 100_000);
  const maxPoints = options.maxPoints ?? 3000;
  const { rows, x } = inputRows(table, options, 4, 't-SNE');
  if (rows.length > maxPoints) {
    throw new LatentError(
      'too-large',
      `t-SNE here is exact (O(N²) memory and time) and maps at most ${maxPoints} images; got ${rows.length}. Map a sample of rows, or use UMAP.`,
      { rows: rows.length, maxPoints },
    );
  }
  const perplexity = Math.min(options.perplexity ?? 30, (rows.length - 1) / 3);
  if (!(perplexity > 0))
    throw new LatentError('bad-option', `Perplexity must be > 0, got ${perplexity}.`);
  throwIfAborted(options.signal, 'The t-SNE map');
  const tsne = new TSNE({ dim: dims, perplexity, epsilon: options.learningRate ?? 10 });
  const normal = seededNormal(options.seed ?? 1);
  tsne.gaussRandom = normal;
  tsne.initDataRaw(x);
  await optimise(iterations, () => tsne.step(), options, 'The t-SNE map');
  // getSolution() is typed any[] by the package: rows of `dims` numbers.
  const solution = tsne.getSolution() as number[][];
  return { method: 'tsne', rows, dims, coords: flatten(solution, dims) };
}
