/**
 * Per-dimension summary of a library's embeddings, and how well neighbours agree on the folder:
 * numbers to compare runs with.
 */
import { LatentError, checkInteger } from './errors';
import { exactKnn } from './knn-exact';
import { klToPriorTerm, sigmaFromLogvar, type Metric } from './metrics';
import { sampleIndices, seededUniform } from './random';
import { checkTableShape, type LatentTable } from './table';

export interface DimensionSummary {
  d: number;
  n: number;
  /** Mean over rows of σ = exp(½ log σ²), per dim. */
  meanSigma: Float64Array;
  /** Mean over rows of KL(q(z_j|x) ‖ N(0, 1)), per dim. */
  meanKl: Float64Array;
  /** Mean over rows of μ, per dim. */
  meanMu: Float64Array;
  /** Population variance over rows of μ (Cov_x(E[z|x]) diagonal), per dim. */
  muVariance: Float64Array;
  /** Active units (Burda et al. 2016): dims with muVariance > threshold. */
  active: number[];
  threshold: number;
  /** Σ_j meanKl[j]: the library's mean KL term in nats. */
  totalKl: number;
}

/**
 * Mean σ, mean KL to the prior, mean and variance of μ per dimension (Welford's update, float64),
 * and the active units: Var_x(E_q[z_j|x]) > threshold (default 0.01).
 */
export function summarizeDimensions(table: LatentTable, threshold = 0.01): DimensionSummary {
  checkTableShape(table);
  if (table.n === 0) throw new LatentError('not-enough-rows', 'The latent table is empty.');
  if (!Number.isFinite(threshold) || threshold < 0) {
    throw new LatentError('bad-option', `The active-unit threshold must be ≥ 0, got ${threshold}.`);
  }
  const { n, d, mu, logvar } = table;
  const meanSigma = new Float64Array(d);
  const meanKl = new Float64Array(d);
  const meanMu = new Float64Array(d);
  const m2 = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const m = mu[i * d + j] as number;
      const lv = logvar[i * d + j] as number;
      meanSigma[j] = (meanSigma[j] as number) + sigmaFromLogvar(lv);
      meanKl[j] = (meanKl[j] as number) + klToPriorTerm(m, lv);
      const delta = m - (meanMu[j] as number);
      meanMu[j] = (meanMu[j] as number) + delta / (i + 1);
      m2[j] = (m2[j] as number) + delta * (m - (meanMu[j] as number));
    }
  }
  const muVariance = new Float64Array(d);
  const active: number[] = [];
  let totalKl = 0;
  for (let j = 0; j < d; j++) {
    meanSigma[j] = (meanSigma[j] as number) / n;
    meanKl[j] = (meanKl[j] as number) / n;
    totalKl += meanKl[j] as number;
    muVariance[j] = (m2[j] as number) / n;
    if ((muVariance[j] as number) > threshold) active.push(j);
  }
  return { d, n, meanSigma, meanKl, meanMu, muVariance, active, threshold, totalKl };
}

export interface FolderAgreementOptions {
  /** Neighbours per row (default 10). */
  k?: number;
  /** Default 'euclidean'. */
  metric?: Metric;
  /** Rows evaluated: all when N ≤ this, else a seeded sample (default 2,000; cost O(sample·N·D)). */
  maxQueries?: number;
  seed?: number;
}

export interface FolderAgreement {
  k: number;
  metric: Metric;
  /** Mean over evaluated rows of (neighbours in the row's folder) / k. */
  precision: number;
  /**
   * The same for neighbours drawn at random: mean over evaluated rows of
   * (rows in its folder − 1)/(N − 1), the chance level precision is compared with.
   */
  baseline: number;
  rowsEvaluated: number;
  /** Precision per folder, over that folder's evaluated rows (by folder id). */
  perFolder: { folder: number; precision: number; rows: number }[];
}

/**
 * Folder agreement precision@k: for each row, the fraction of its k nearest neighbours (by
 * `metric`, the row itself excluded) that share its folder, averaged over rows; with the chance
 * baseline computed exactly from folder sizes.
 */
export function folderAgreement(
  table: LatentTable,
  options: FolderAgreementOptions = {},
): FolderAgreement {
  checkTableShape(table);
  const folders = table.folders;
  if (folders === undefined) {
    throw new LatentError('no-folders', 'Folder agreement needs the folder id of each row.');
  }
  const k = options.k ?? 10;
  const metric = options.metric ?? 'euclidean';
  checkInteger(k, 'k', 1);
  if (table.n < k + 1) {
    throw new LatentError(
      'bad-k',
      `Folder agreement at k = ${k} needs at least ${k + 1} images, the table has ${table.n}.`,
    );
  }
  const maxQueries = options.maxQueries ?? 2000;
  checkInteger(maxQueries, 'maxQueries', 1);
  const sizes = new Map<number, number>();
  for (let i = 0; i < table.n; i++) {
    const f = folders[i] as number;
    sizes.set(f, (sizes.get(f) ?? 0) + 1);
  }
  const rows =
    table.n <= maxQueries
      ? Array.from({ length: table.n }, (_, i) => i)
      : sampleIndices(table.n, maxQueries, seededUniform(options.seed ?? 1)).sort((a, b) => a - b);
  let sum = 0;
  let base = 0;
  const perSum = new Map<number, [number, number]>();
  for (const row of rows) {
    const f = folders[row] as number;
    const neighbours = exactKnn(table, { row }, { k, metric });
    const same = neighbours.filter((nb) => folders[nb.index] === f).length / k;
    sum += same;
    base += ((sizes.get(f) as number) - 1) / (table.n - 1);
    const acc = perSum.get(f) ?? [0, 0];
    perSum.set(f, [acc[0] + same, acc[1] + 1]);
  }
  const perFolder = [...perSum]
    .map(([folder, [s, c]]) => ({ folder, precision: s / c, rows: c }))
    .sort((a, b) => a.folder - b.folder);
  return {
    k,
    metric,
    precision: sum / rows.length,
    baseline: base / rows.length,
    rowsEvaluated: rows.length,
    perFolder,
  };
}
