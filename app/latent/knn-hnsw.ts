/**
 * Approximate k-nearest neighbours through an HNSW graph (`usearch`: prebuilt N-API binaries for
 * linux x64/arm64 and macOS (none for Windows in 2.25.3), so no compiler at install there; f32 vectors; SIMD distances), with
 * the same call shape as `exactKnn` and distances always recomputed exactly by our kernels:
 *
 * - euclidean / cosine: the graph is built on μ with the same metric (L2² / cos);
 * - wasserstein: W2 between diagonal Gaussians is exactly the Euclidean distance between the
 *   concatenated vectors [μ, σ], so the graph is built on [μ, σ] with L2²;
 * - symmetric-kl / bhattacharyya: not metrics an HNSW graph can index, but both grow with ‖Δμ‖
 *   and with σ mismatch, so W2 on [μ, σ] is a good proxy: the graph returns `oversample`·k
 *   candidates (default 10k), which are re-ranked by the exact distance.
 *
 * Folder restriction: usearch's JS binding has no filtered search, so the candidate count is
 * scaled up by N / (eligible rows) and filtered; if fewer than k eligible candidates remain (a
 * tiny folder in a large library), the call falls back to the exact scan (`lastSearchExact`).
 */
import type * as Usearch from 'usearch';
import { LatentError, checkInteger, throwIfAborted, yieldToEventLoop } from './errors';
import { exactKnn } from './knn-exact';
import { kernelFor, sigmaFromLogvar, type Metric } from './metrics';
import {
  checkK,
  eligibleRows,
  resolveQuery,
  type KnnOptions,
  type LatentQuery,
  type Neighbour,
} from './query';
import { sampleIndices, seededUniform } from './random';
import { checkTableShape, type LatentTable, type Vector } from './table';
import { TopK } from './top-k';

export interface HnswBuildOptions {
  /** Default 'euclidean'. */
  metric?: Metric;
  /** Graph degree M (default 16). */
  connectivity?: number;
  /** Beam width while adding (efConstruction, default 128). */
  expansionAdd?: number;
  /** Beam width while searching (ef, default 64; raised to the candidate count when larger). */
  expansionSearch?: number;
  /** Candidates per neighbour wanted (default 10 for symmetric-kl/bhattacharyya, else 2). */
  oversample?: number;
  /** Rows added per chunk between yields (default 20,000). */
  chunkRows?: number;
  signal?: AbortSignal;
  /** Called after each chunk with rows added so far. */
  onProgress?: (done: number, total: number) => void;
}

export interface HnswIndex {
  readonly table: LatentTable;
  readonly metric: Metric;
  /** What the graph indexes: μ, or [μ, σ] for the posterior metrics. */
  readonly space: 'mu' | 'mu-sigma';
  readonly oversample: number;
  readonly buildMs: number;
  /** Whether the last search fell back to the exact scan (folder restriction). */
  readonly lastSearchExact: boolean;
  /** Same call as `exactKnn(table, query, options)`; `options.metric` must be the index's. */
  search(query: LatentQuery, options: KnnOptions): Neighbour[];
}

let usearchModule: Promise<typeof Usearch> | undefined;

/** Loads the native binding once; `LatentError('unavailable')` with the loader's reason if not. */
export function loadUsearch(): Promise<typeof Usearch> {
  usearchModule ??= import('usearch').catch((e: unknown) => {
    usearchModule = undefined;
    throw new LatentError(
      'unavailable',
      `The HNSW index (usearch) cannot be loaded on this machine: ${e instanceof Error ? e.message : String(e)}. Use exact search.`,
    );
  });
  return usearchModule;
}

function spaceOf(metric: Metric): 'mu' | 'mu-sigma' {
  return metric === 'euclidean' || metric === 'cosine' ? 'mu' : 'mu-sigma';
}

/** [μ, σ] of `count` rows starting at `offset` (row-major, 2D per row). */
function muSigma(
  mu: Vector,
  logvar: Vector,
  offset: number,
  count: number,
  d: number,
): Float32Array {
  const out = new Float32Array(count * 2 * d);
  for (let i = 0; i < count; i++) {
    for (let j = 0; j < d; j++) {
      out[i * 2 * d + j] = mu[offset + i * d + j] as number;
      out[i * 2 * d + d + j] = sigmaFromLogvar(logvar[offset + i * d + j] as number);
    }
  }
  return out;
}

/** Builds an HNSW index over the table for one metric (async: loads usearch, adds in chunks). */
export async function buildHnswIndex(
  table: LatentTable,
  options: HnswBuildOptions = {},
): Promise<HnswIndex> {
  checkTableShape(table);
  const metric = options.metric ?? 'euclidean';
  const kernel = kernelFor(metric);
  const connectivity = options.connectivity ?? 16;
  const expansionAdd = options.expansionAdd ?? 128;
  const expansionSearch = options.expansionSearch ?? 64;
  checkInteger(connectivity, 'connectivity', 2, 256);
  checkInteger(expansionAdd, 'expansionAdd', 1);
  checkInteger(expansionSearch, 'expansionSearch', 1);
  const reranked = metric === 'symmetric-kl' || metric === 'bhattacharyya';
  const oversample = options.oversample ?? (reranked ? 10 : 2);
  if (!(oversample >= 1) || !Number.isFinite(oversample)) {
    throw new LatentError('bad-option', `oversample must be a number ≥ 1, got ${oversample}.`);
  }
  if (table.n === 0)
    throw new LatentError('not-enough-rows', 'Cannot index an empty latent table.');
  const us = await loadUsearch();
  const started = performance.now();
  const space = spaceOf(metric);
  const dims = space === 'mu' ? table.d : 2 * table.d;
  const index = new us.Index({
    dimensions: dims,
    metric: metric === 'cosine' ? us.MetricKind.Cos : us.MetricKind.L2sq,
    quantization: us.ScalarKind.F32,
    connectivity,
    expansion_add: expansionAdd,
    expansion_search: expansionSearch,
    multi: false,
  });
  const chunk = Math.max(1, Math.floor(options.chunkRows ?? 20_000));
  for (let start = 0; start < table.n; start += chunk) {
    throwIfAborted(options.signal, 'Building the HNSW index');
    const count = Math.min(chunk, table.n - start);
    const keys = new BigUint64Array(count);
    for (let i = 0; i < count; i++) keys[i] = BigInt(start + i);
    const vectors =
      space === 'mu'
        ? table.mu.subarray(start * table.d, (start + count) * table.d)
        : muSigma(table.mu, table.logvar, start * table.d, count, table.d);
    index.add(keys, vectors);
    options.onProgress?.(start + count, table.n);
    if (start + count < table.n) await yieldToEventLoop();
  }
  const buildMs = performance.now() - started;
  let lastSearchExact = false;

  const search = (query: LatentQuery, opts: KnnOptions): Neighbour[] => {
    if (opts.metric !== undefined && opts.metric !== metric) {
      throw new LatentError(
        'bad-option',
        `This HNSW index was built for ${metric}, not ${opts.metric}: build one per metric.`,
      );
    }
    const q = resolveQuery(table, query, metric, opts.excludeSelf ?? true);
    const eligible = eligibleRows(table, opts.folders, q.self);
    checkK(opts.k, eligible, opts.folders);
    const vec =
      space === 'mu'
        ? Float32Array.from({ length: table.d }, (_, j) => q.mu[q.offset + j] as number)
        : muSigma(q.mu, q.logvar, q.offset, 1, table.d);
    const scale = eligible.mask === null ? 1 : table.n / Math.max(1, eligible.count);
    const wanted = Math.min(
      table.n,
      Math.ceil(opts.k * oversample * scale) + (q.self >= 0 ? 1 : 0),
    );
    const found = index.search(vec, wanted, 1);
    const heap = new TopK(opts.k);
    for (const key of found.keys) {
      const i = Number(key);
      if (i === q.self || (eligible.mask !== null && eligible.mask[i] === 0)) continue;
      heap.push(i, kernel(q.mu, q.logvar, q.offset, table.mu, table.logvar, i * table.d, table.d));
    }
    if (heap.size < opts.k) {
      lastSearchExact = true;
      return exactKnn(table, query, { ...opts, metric });
    }
    lastSearchExact = false;
    return heap
      .sorted()
      .map(({ index: i, key }) => ({ index: i, id: table.ids[i] as number, distance: key }));
  };

  return {
    table,
    metric,
    space,
    oversample,
    buildMs,
    get lastSearchExact() {
      return lastSearchExact;
    },
    search,
  };
}

export interface RecallOptions {
  k?: number;
  /** Query rows sampled from the table (default 100). */
  queries?: number;
  seed?: number;
  folders?: readonly number[];
}

export interface RecallReport {
  metric: Metric;
  k: number;
  queries: number;
  /** Mean |HNSW ∩ exact| / k over the sampled query rows. */
  recall: number;
  /** Lowest per-query recall. */
  minRecall: number;
  exactMs: { mean: number; p95: number };
  hnswMs: { mean: number; p95: number };
  buildMs: number;
}

function timing(ms: number[]): { mean: number; p95: number } {
  const sorted = ms.slice().sort((a, b) => a - b);
  const mean = sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length);
  const p95 = sorted[Math.min(sorted.length - 1, Math.ceil(0.95 * sorted.length) - 1)] ?? 0;
  return { mean, p95 };
}

/** recall@k of the index against exact search, on a seeded sample of the table's rows. */
export function measureRecall(index: HnswIndex, options: RecallOptions = {}): RecallReport {
  const k = options.k ?? 10;
  const rows = sampleIndices(
    index.table.n,
    options.queries ?? 100,
    seededUniform(options.seed ?? 1),
  );
  const exactMs: number[] = [];
  const hnswMs: number[] = [];
  let sum = 0;
  let min = 1;
  for (const row of rows) {
    const opts: KnnOptions = { k, metric: index.metric, folders: options.folders };
    let t = performance.now();
    const exact = exactKnn(index.table, { row }, opts);
    exactMs.push(performance.now() - t);
    t = performance.now();
    const approx = index.search({ row }, opts);
    hnswMs.push(performance.now() - t);
    const truth = new Set(exact.map((n) => n.index));
    const r = approx.filter((n) => truth.has(n.index)).length / k;
    sum += r;
    min = Math.min(min, r);
  }
  return {
    metric: index.metric,
    k,
    queries: rows.length,
    recall: rows.length > 0 ? sum / rows.length : 1,
    minRecall: rows.length > 0 ? min : 1,
    exactMs: timing(exactMs),
    hnswMs: timing(hnswMs),
    buildMs: index.buildMs,
  };
}
