/**
 * The classic VAE manifold picture: a grid over two latent dimensions at prior percentiles, the
 * other dimensions held at a base code; and seeded samples from the prior N(0, I).
 */
import { LatentError, checkInteger } from './errors';
import { seededNormal } from './random';
import { checkVector, type Vector } from './table';

// Wichura's AS 241 coefficients, lowest power first (rounded to float64).
const AS241_A = [
  3.3871328727963665, 133.14166789178438, 1971.5909503065513, 13731.69376550946, 45921.95393154987,
  67265.7709270087, 33430.57558358813, 2509.0809287301227,
];
const AS241_B = [
  1.0, 42.31333070160091, 687.1870074920579, 5394.196021424751, 21213.794301586597,
  39307.89580009271, 28729.085735721943, 5226.495278852546,
];
const AS241_C = [
  1.4234371107496835, 4.630337846156546, 5.769497221460691, 3.6478483247632045, 1.2704582524523684,
  0.2417807251774506, 0.022723844989269184, 0.0007745450142783414,
];
const AS241_D = [
  1.0, 2.053191626637759, 1.6763848301838038, 0.6897673349851, 0.14810397642748008,
  0.015198666563616457, 0.0005475938084995345, 1.0507500716444169e-9,
];
const AS241_E = [
  6.657904643501103, 5.463784911164114, 1.7848265399172913, 0.29656057182850487,
  0.026532189526576124, 0.0012426609473880784, 2.7115555687434876e-5, 2.0103343992922881e-7,
];
const AS241_F = [
  1.0, 0.599832206555888, 0.1369298809227358, 0.014875361290850615, 0.0007868691311456133,
  1.8463183175100548e-5, 1.421511758316446e-7, 2.0442631033899397e-15,
];

/** Σ c_i x^i by Horner's rule. */
function poly(c: readonly number[], x: number): number {
  let s = 0;
  for (let i = c.length - 1; i >= 0; i--) s = s * x + (c[i] as number);
  return s;
}

/**
 * Φ⁻¹(p), the standard normal quantile, by Wichura's AS 241 (PPND16), relative error ~1e-16 on
 * (0, 1). Throws for p outside (0, 1).
 */
export function inverseNormalCdf(p: number): number {
  if (!(p > 0 && p < 1)) {
    throw new LatentError('bad-option', `A normal quantile needs 0 < p < 1, got ${String(p)}.`);
  }
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q;
    return (q * poly(AS241_A, r)) / poly(AS241_B, r);
  }
  let r = Math.sqrt(-Math.log(q < 0 ? p : 1 - p));
  let x: number;
  if (r <= 5) {
    r -= 1.6;
    x = poly(AS241_C, r) / poly(AS241_D, r);
  } else {
    r -= 5;
    x = poly(AS241_E, r) / poly(AS241_F, r);
  }
  return q < 0 ? -x : x;
}

/** Φ⁻¹((i + 0.5)/n) for i = 0..n-1: n evenly spaced prior percentiles. */
export function priorPercentiles(n: number): number[] {
  checkInteger(n, 'The grid size', 1, 1024);
  return Array.from({ length: n }, (_, i) => inverseNormalCdf((i + 0.5) / n));
}

export interface GridOptions {
  /** The two dimensions varied (x, y); default [0, 1]. */
  dims?: readonly [number, number];
  /** Cells per side, or [columns, rows]; default 8. */
  size?: number | readonly [number, number];
  /** The code the other dimensions are fixed to (default zeros, the prior mean). */
  base?: Vector;
}

export interface LatentGrid {
  dims: [number, number];
  columns: number;
  rows: number;
  /** Value of dims[0] in each column, increasing. */
  xValues: number[];
  /** Value of dims[1] in each row, decreasing (row 0 at the top, as images are drawn). */
  yValues: number[];
  /** Points, row-major [rows·columns, d], cell (r, c) at index r·columns + c. */
  points: Float32Array;
  d: number;
}

/**
 * A grid over dims (x, y): cell (r, c) is the base code with z[x] = Φ⁻¹((c + 0.5)/columns) and
 * z[y] = Φ⁻¹((rows − r − 0.5)/rows). For a 2-D latent with the default base this is the latent
 * space itself.
 */
export function latentGrid(d: number, options: GridOptions = {}): LatentGrid {
  checkInteger(d, 'The latent dimension', 1);
  const dims = options.dims ?? [0, 1];
  const [dx, dy] = dims;
  for (const dim of dims) {
    if (!Number.isInteger(dim) || dim < 0 || dim >= d) {
      throw new LatentError('bad-index', `Grid dimension ${String(dim)} is not in 0..${d - 1}.`);
    }
  }
  if (dx === dy) {
    throw new LatentError(
      'bad-option',
      `The grid needs two different dimensions, got ${dx} twice.`,
    );
  }
  const size = options.size ?? 8;
  const [columns, rows] = typeof size === 'number' ? [size, size] : [size[0], size[1]];
  const xValues = priorPercentiles(columns);
  const yValues = priorPercentiles(rows).reverse();
  const base =
    options.base === undefined
      ? new Float64Array(d)
      : checkVector(options.base, d, 'The grid base');
  const points = new Float32Array(rows * columns * d);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c++) {
      const at = (r * columns + c) * d;
      points.set(base, at);
      points[at + dx] = xValues[c] as number;
      points[at + dy] = yValues[r] as number;
    }
  }
  return { dims: [dx, dy], columns, rows, xValues, yValues, points, d };
}

/** n seeded samples from the prior N(0, I), row-major [n, d]; the same seed gives the same codes. */
export function samplePrior(n: number, d: number, seed: number): Float32Array {
  checkInteger(n, 'The sample count', 1, 1_000_000);
  checkInteger(d, 'The latent dimension', 1);
  if (!Number.isFinite(seed))
    throw new LatentError('bad-option', `The seed must be a number, got ${seed}.`);
  const normal = seededNormal(seed);
  const out = new Float32Array(n * d);
  for (let i = 0; i < out.length; i++) out[i] = normal();
  return out;
}
