/**
 * Exact k-nearest neighbours: one pass over the table with a bounded heap (O(N·D + N log k)), no
 * sort of all N distances. `exactKnnAsync` scans in chunks, yielding to the event loop between
 * them and honouring an AbortSignal, for very large tables in a process that must stay responsive.
 */
import { throwIfAborted, yieldToEventLoop } from './errors';
import { kernelFor, type Metric } from './metrics';
import {
  checkK,
  eligibleRows,
  resolveQuery,
  type KnnOptions,
  type LatentQuery,
  type Neighbour,
  type ResolvedQuery,
} from './query';
import type { LatentTable } from './table';
import { TopK } from './top-k';

interface Scan {
  table: LatentTable;
  q: ResolvedQuery;
  metric: Metric;
  mask: Uint8Array | null;
  heap: TopK;
}

function prepare(table: LatentTable, query: LatentQuery, options: KnnOptions): Scan {
  const metric = options.metric ?? 'euclidean';
  kernelFor(metric);
  const q = resolveQuery(table, query, metric, options.excludeSelf ?? true);
  const eligible = eligibleRows(table, options.folders, q.self);
  checkK(options.k, eligible, options.folders);
  return { table, q, metric, mask: eligible.mask, heap: new TopK(options.k) };
}

function scanRows(s: Scan, start: number, end: number): void {
  const { table, q, mask, heap } = s;
  const kernel = kernelFor(s.metric);
  const d = table.d;
  for (let i = start; i < end; i++) {
    if (i === q.self || (mask !== null && mask[i] === 0)) continue;
    const dist = kernel(q.mu, q.logvar, q.offset, table.mu, table.logvar, i * d, d);
    if (dist < heap.worst || heap.size < heap.k) heap.push(i, dist);
  }
}

/** Turns heap entries into result rows. */
export function toNeighbours(table: LatentTable, heap: TopK): Neighbour[] {
  return heap
    .sorted()
    .map(({ index, key }) => ({ index, id: table.ids[index] as number, distance: key }));
}

/**
 * The k rows nearest to the query by `metric` (default Euclidean on μ), nearest first; ties by
 * row. Throws `LatentError` for a bad row, a vector of the wrong length or with NaN/∞, a bare
 * vector with a posterior metric, or k larger than the eligible rows.
 */
export function exactKnn(table: LatentTable, query: LatentQuery, options: KnnOptions): Neighbour[] {
  const s = prepare(table, query, options);
  scanRows(s, 0, table.n);
  return toNeighbours(table, s.heap);
}

export interface AsyncKnnOptions extends KnnOptions {
  signal?: AbortSignal;
  /** Rows per chunk between yields (default 65,536). */
  chunkRows?: number;
}

/** `exactKnn` in chunks of rows, yielding between them; throws `LatentError('cancelled')`. */
export async function exactKnnAsync(
  table: LatentTable,
  query: LatentQuery,
  options: AsyncKnnOptions,
): Promise<Neighbour[]> {
  const s = prepare(table, query, options);
  const chunk = Math.max(1, Math.floor(options.chunkRows ?? 65_536));
  for (let start = 0; start < table.n; start += chunk) {
    throwIfAborted(options.signal, 'The neighbour search');
    scanRows(s, start, Math.min(table.n, start + chunk));
    if (start + chunk < table.n) await yieldToEventLoop();
  }
  throwIfAborted(options.signal, 'The neighbour search');
  return toNeighbours(table, s.heap);
}
