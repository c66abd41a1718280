/**
 * What a neighbour search is asked about, shared by the exact and the HNSW search: a row of the
 * table, or an outside posterior (μ and log σ²), or a bare latent vector (μ only).
 *
 * A bare vector has no uncertainty. Treating it as σ → 0 would make every KL/Bhattacharyya
 * distance blow up as log σ → −∞ and rank rows by their own σ rather than by closeness, so the
 * posterior metrics refuse it (`needs-logvar`) instead; W2 would be defined at σ = 0 but is refused
 * too, for one rule that is easy to state. Pass `logvar` (e.g. the encoder's output) to use them.
 */
import { LatentError, checkInteger } from './errors';
import { isPosteriorMetric, type Metric } from './metrics';
import { checkRow, checkTableShape, checkVector, type LatentTable, type Vector } from './table';

export type LatentQuery = { row: number } | { mu: Vector; logvar?: Vector };

export interface KnnOptions {
  /** Neighbours to return (≤ the rows eligible). */
  k: number;
  /** Default 'euclidean'. */
  metric?: Metric;
  /** Only rows in these folders (needs `table.folders`). */
  folders?: readonly number[];
  /** For a row query, leave the row itself out (default true). */
  excludeSelf?: boolean;
}

export interface Neighbour {
  /** Row in the table. */
  index: number;
  /** Image id of that row. */
  id: number;
  distance: number;
}

/** A query resolved to flat arrays + offset, as the distance kernels take them. */
export interface ResolvedQuery {
  mu: Vector;
  logvar: Vector;
  offset: number;
  /** The row to leave out, or -1. */
  self: number;
}

export function resolveQuery(
  table: LatentTable,
  query: LatentQuery,
  metric: Metric,
  excludeSelf = true,
): ResolvedQuery {
  checkTableShape(table);
  if (query === null || typeof query !== 'object') {
    throw new LatentError('bad-option', 'A query is { row } or { mu, logvar? }.');
  }
  if ('row' in query) {
    checkRow(table, query.row, 'Query row');
    return {
      mu: table.mu,
      logvar: table.logvar,
      offset: query.row * table.d,
      self: excludeSelf ? query.row : -1,
    };
  }
  const mu = checkVector(query.mu, table.d, 'The query μ');
  if (query.logvar === undefined) {
    if (isPosteriorMetric(metric)) {
      throw new LatentError(
        'needs-logvar',
        `The ${metric} distance compares posteriors, but the query is a bare latent vector: give its log σ² too, or use euclidean or cosine.`,
        { metric },
      );
    }
    return { mu, logvar: mu, offset: 0, self: -1 };
  }
  const logvar = checkVector(query.logvar, table.d, 'The query log σ²');
  return { mu, logvar, offset: 0, self: -1 };
}

/**
 * Which rows a search may return: a mask (null = all rows) and how many are eligible once the
 * query's own row is left out.
 */
export interface Eligibility {
  mask: Uint8Array | null;
  count: number;
}

export function eligibleRows(
  table: LatentTable,
  folders: readonly number[] | undefined,
  self: number,
): Eligibility {
  if (folders === undefined) return { mask: null, count: table.n - (self >= 0 ? 1 : 0) };
  if (table.folders === undefined) {
    throw new LatentError(
      'no-folders',
      'Cannot restrict neighbours to folders: the latent table has no folder ids.',
    );
  }
  if (!Array.isArray(folders) || folders.length === 0) {
    throw new LatentError('bad-option', 'The folder restriction must list at least one folder id.');
  }
  const wanted = new Set(folders);
  const mask = new Uint8Array(table.n);
  let count = 0;
  for (let i = 0; i < table.n; i++) {
    if (i !== self && wanted.has(table.folders[i] as number)) {
      mask[i] = 1;
      count++;
    }
  }
  return { mask, count };
}

/** Checks k against the eligible rows, with a message naming both numbers. */
export function checkK(k: number, eligible: Eligibility, folders?: readonly number[]): void {
  checkInteger(k, 'k', 1);
  if (k > eligible.count) {
    const scope =
      folders === undefined
        ? 'in the library'
        : `in folder${folders.length > 1 ? 's' : ''} ${folders.join(', ')}`;
    throw new LatentError(
      'bad-k',
      `k = ${k} but only ${eligible.count} image${eligible.count === 1 ? ' is' : 's are'} ${scope} to choose from (the query itself excluded).`,
      { k, available: eligible.count },
    );
  }
}
