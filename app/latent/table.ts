/**
 * The embeddings every latent operation reads: N rows of D dims, the posterior q(z|x) of each image
 * as μ and log σ² (row-major float32), the image id and optionally the folder id of each row.
 */
import { LatentError } from './errors';

export interface LatentTable {
  /** Rows (images). */
  readonly n: number;
  /** Latent dimensions. */
  readonly d: number;
  /** Posterior means, row-major [n, d]. */
  readonly mu: Float32Array;
  /** Posterior log-variances log σ², row-major [n, d]. */
  readonly logvar: Float32Array;
  /** Image id of each row, [n]. */
  readonly ids: Int32Array | readonly number[];
  /** Folder id of each row, [n] (for folder restriction and agreement). */
  readonly folders?: Int32Array | readonly number[];
}

/** A vector of numbers as the latent functions accept it (never modified). */
export type Vector = ArrayLike<number>;

/** The first non-finite position of `values`, or -1. */
export function firstNonFinite(values: Vector): number {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i] as number)) return i;
  }
  return -1;
}

/** Cheap O(1) shape check run by every operation: integer n ≥ 0, d ≥ 1 and matching lengths. */
export function checkTableShape(t: LatentTable): void {
  if (!Number.isInteger(t.n) || t.n < 0 || !Number.isInteger(t.d) || t.d < 1) {
    throw new LatentError(
      'bad-shape',
      `A latent table needs an integer row count ≥ 0 and dimension ≥ 1, got n=${t.n}, d=${t.d}.`,
    );
  }
  const want = t.n * t.d;
  for (const [name, len] of [
    ['mu', t.mu.length],
    ['logvar', t.logvar.length],
  ] as const) {
    if (len !== want) {
      throw new LatentError(
        'bad-shape',
        `The latent table's ${name} has ${len} values, expected n×d = ${t.n}×${t.d} = ${want}.`,
      );
    }
  }
  if (t.ids.length !== t.n) {
    throw new LatentError('bad-shape', `The latent table has ${t.ids.length} ids for ${t.n} rows.`);
  }
  if (t.folders !== undefined && t.folders.length !== t.n) {
    throw new LatentError(
      'bad-shape',
      `The latent table has ${t.folders.length} folder ids for ${t.n} rows.`,
    );
  }
}

/**
 * Validates a table once, fully (shape, then every μ and log σ² finite), and returns it. Build
 * tables with this where the embeddings enter the process; later operations only check shapes.
 */
export function latentTable(t: LatentTable): LatentTable {
  checkTableShape(t);
  for (const [name, values] of [
    ['mu', t.mu],
    ['logvar', t.logvar],
  ] as const) {
    const bad = firstNonFinite(values);
    if (bad >= 0) {
      const row = Math.floor(bad / t.d);
      throw new LatentError(
        'non-finite',
        `The latent table's ${name} is ${String(values[bad])} at row ${row} (image id ${String(t.ids[row])}), dim ${bad % t.d}.`,
        { row, dim: bad % t.d },
      );
    }
  }
  return t;
}

/** Checks a row index of the table. */
export function checkRow(t: LatentTable, row: number, what = 'row'): void {
  if (!Number.isInteger(row) || row < 0 || row >= t.n) {
    throw new LatentError(
      'bad-index',
      `${what} ${String(row)} is not a row of the latent table (0..${t.n - 1}).`,
      { row },
    );
  }
}

/**
 * Checks a caller's vector: length `d` and finite, and returns it as a Float64Array copy (so later
 * changes by the caller cannot affect a result). `what` names it in messages.
 */
export function checkVector(v: Vector, d: number, what: string): Float64Array {
  if (v === null || typeof v !== 'object' || typeof v.length !== 'number') {
    throw new LatentError('bad-shape', `${what} must be an array of ${d} numbers.`);
  }
  if (v.length !== d) {
    throw new LatentError(
      'bad-shape',
      `${what} has ${v.length} values, the latent space has ${d}.`,
    );
  }
  const bad = firstNonFinite(v);
  if (bad >= 0) {
    throw new LatentError('non-finite', `${what} is ${String(v[bad])} at dim ${bad}.`, {
      dim: bad,
    });
  }
  return Float64Array.from(v);
}

/** Row `i`'s μ as a new Float32Array. */
export function rowMu(t: LatentTable, i: number): Float32Array {
  checkRow(t, i);
  return t.mu.slice(i * t.d, (i + 1) * t.d);
}

/** Row `i`'s log σ² as a new Float32Array. */
export function rowLogvar(t: LatentTable, i: number): Float32Array {
  checkRow(t, i);
  return t.logvar.slice(i * t.d, (i + 1) * t.d);
}

/** A table over plain points (e.g. 2-D map coordinates): log σ² = 0, ids = row numbers. */
export function pointTable(points: Float32Array, d: number): LatentTable {
  const n = Math.floor(points.length / d);
  return {
    n,
    d,
    mu: points,
    logvar: new Float32Array(points.length),
    ids: Array.from({ length: n }, (_, i) => i),
  };
}
