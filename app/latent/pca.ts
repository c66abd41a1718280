/**
 * PCA of the posterior means, with its inverse (a point of the PCA map → a latent code).
 *
 * Approach: we form the D×D covariance ourselves in one float64 pass over the flat μ array (two
 * passes: mean, then centred products, so it is stable for codes far from 0) and hand only that
 * small matrix to `ml-pca` (`isCovarianceMatrix: true`), whose symmetric eigendecomposition
 * (ml-matrix's EVD, JAMA's tred2/tql2) returns the components sorted by variance. This costs
 * O(N·D²) + O(D³) and never builds an N-row ml-matrix (100k rows of number[] would cost far more
 * memory and time than the data); D ≤ 512 keeps the eigen-solve well under a second.
 * Projection and inverse are plain loops here.
 */
import { PCA } from 'ml-pca';
import { LatentError, checkInteger } from './errors';
import { checkTableShape, checkVector, type LatentTable, type Vector } from './table';

export interface PcaModel {
  d: number;
  /** Components kept. */
  k: number;
  /** Mean of μ, [d]. */
  mean: Float64Array;
  /** Unit principal axes, row-major [k, d] (axis c at c·d); sign: largest |entry| positive. */
  components: Float64Array;
  /** Variance along each kept axis (eigenvalues of the covariance, population, decreasing). */
  variances: number[];
  /** Each kept axis's share of the total variance. */
  explainedRatio: number[];
}

/** Covariance (population, 1/N) of the rows of a flat [n, d] array, and their mean. */
export function covariance(
  mu: Float32Array,
  n: number,
  d: number,
): { mean: Float64Array; cov: Float64Array } {
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < d; j++) mean[j] = (mean[j] as number) + (mu[i * d + j] as number);
  for (let j = 0; j < d; j++) mean[j] = (mean[j] as number) / n;
  const cov = new Float64Array(d * d);
  const row = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) row[j] = (mu[i * d + j] as number) - (mean[j] as number);
    for (let a = 0; a < d; a++) {
      const ra = row[a] as number;
      if (ra === 0) continue;
      for (let b = a; b < d; b++)
        cov[a * d + b] = (cov[a * d + b] as number) + ra * (row[b] as number);
    }
  }
  for (let a = 0; a < d; a++) {
    for (let b = a; b < d; b++) {
      const v = (cov[a * d + b] as number) / n;
      cov[a * d + b] = v;
      cov[b * d + a] = v;
    }
  }
  return { mean, cov };
}

/** Fits PCA with k components (default 2, at most d) to the table's μ. */
export function fitPca(table: LatentTable, k = 2): PcaModel {
  checkTableShape(table);
  const { n, d } = table;
  checkInteger(k, 'The number of components', 1, d);
  if (d > 512)
    throw new LatentError('too-large', `PCA here handles up to 512 dimensions, got ${d}.`);
  if (n < 2) throw new LatentError('not-enough-rows', `PCA needs at least 2 rows, got ${n}.`);
  const { mean, cov } = covariance(table.mu, n, d);
  const rows = Array.from({ length: d }, (_, a) => Array.from(cov.subarray(a * d, (a + 1) * d)));
  const pca = new PCA(rows, { isCovarianceMatrix: true });
  const vectors = pca.getEigenvectors();
  const eig = pca.getEigenvalues();
  const total = eig.reduce((s, v) => s + Math.max(0, v), 0);
  const components = new Float64Array(k * d);
  const variances: number[] = [];
  for (let c = 0; c < k; c++) {
    let big = 0;
    for (let j = 0; j < d; j++) {
      const v = vectors.get(j, c);
      if (Math.abs(v) > Math.abs(big)) big = v;
    }
    const sign = big < 0 ? -1 : 1;
    for (let j = 0; j < d; j++) components[c * d + j] = sign * vectors.get(j, c);
    variances.push(Math.max(0, eig[c] as number));
  }
  const explainedRatio = variances.map((v) => (total > 0 ? v / total : 0));
  return { d, k, mean, components, variances, explainedRatio };
}

/** Projects rows [n, d] onto the model's axes: y = (x − mean)·Wᵀ, row-major [n, k]. */
export function pcaProject(model: PcaModel, mu: Float32Array): Float32Array {
  const { d, k, mean, components } = model;
  if (mu.length % d !== 0) {
    throw new LatentError(
      'bad-shape',
      `μ has ${mu.length} values, not a whole number of ${d}-dim codes.`,
    );
  }
  const n = mu.length / d;
  const out = new Float32Array(n * k);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let j = 0; j < d; j++)
        s += ((mu[i * d + j] as number) - (mean[j] as number)) * (components[c * d + j] as number);
      out[i * k + c] = s;
    }
  }
  return out;
}

/** The latent code of a PCA map point: x = mean + Σ_c y_c·W_c (exact inverse when k = d). */
export function pcaInverse(model: PcaModel, point: Vector): Float32Array {
  const { d, k, mean, components } = model;
  const y = checkVector(point, k, 'The map point');
  const out = new Float32Array(d);
  for (let j = 0; j < d; j++) {
    let s = mean[j] as number;
    for (let c = 0; c < k; c++) s += (y[c] as number) * (components[c * d + j] as number);
    out[j] = s;
  }
  return out;
}
