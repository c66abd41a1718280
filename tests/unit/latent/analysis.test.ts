import { describe, expect, it } from 'vitest';
import {
  applyAttribute,
  attributeConsistency,
  attributeVector,
  auc,
  fitPca,
  folderAgreement,
  latentTable,
  pcaInverse,
  pcaProject,
  rankOutliers,
  summarizeDimensions,
  zScores,
} from '../../../app/latent';
import { clustered, gauss, lcg, tableFrom } from './fixtures';

describe('summarizeDimensions', () => {
  it('mean σ, mean KL, variance of μ and active units', () => {
    const t = tableFrom(
      [
        [1, 0.5, 3],
        [-1, 0.5, 3.001],
        [3, 0.5, 3],
      ],
      [
        [0, Math.log(4), -1],
        [Math.log(0.25), Math.log(4), -1],
        [0, Math.log(4), -1],
      ],
    );
    const s = summarizeDimensions(t);
    expect(s.meanSigma[0]).toBeCloseTo((1 + Math.exp(Math.fround(Math.log(0.25)) / 2) + 1) / 3, 12);
    expect(s.meanSigma[1]).toBeCloseTo(Math.exp(Math.fround(Math.log(4)) / 2), 12);
    // References use the float32 values the table stores.
    const kl = (m: number, v: number) => {
      const lv = Math.fround(Math.log(v));
      return 0.5 * (m * m + Math.exp(lv) - 1 - lv);
    };
    expect(s.meanKl[0]).toBeCloseTo((kl(1, 1) + kl(-1, 0.25) + kl(3, 1)) / 3, 12);
    expect(s.meanKl[1]).toBeCloseTo(kl(0.5, 4), 12);
    expect(s.muVariance[0]).toBeCloseTo(((1 - 1) ** 2 + (-1 - 1) ** 2 + (3 - 1) ** 2) / 3, 12);
    expect(s.muVariance[1]).toBeCloseTo(0, 12);
    expect(s.active).toEqual([0]);
    expect(s.totalKl).toBeCloseTo(
      (s.meanKl[0] as number) + (s.meanKl[1] as number) + (s.meanKl[2] as number),
      12,
    );
  });

  it('folder agreement precision@k against its chance baseline', () => {
    // Two far-apart folders of 6 rows each: every neighbour shares the folder.
    const rows = Array.from({ length: 12 }, (_, i) => [i < 6 ? 0 : 100, i]);
    const t = tableFrom(
      rows,
      undefined,
      rows.map((_, i) => (i < 6 ? 1 : 2)),
    );
    const a = folderAgreement(t, { k: 3 });
    expect(a.precision).toBe(1);
    expect(a.baseline).toBeCloseTo(5 / 11, 12);
    expect(a.perFolder).toEqual([
      { folder: 1, precision: 1, rows: 6 },
      { folder: 2, precision: 1, rows: 6 },
    ]);
    // Interleaved folders on a line: neighbours at ±1 are the other folder, ±2 the same.
    const line = Array.from({ length: 20 }, (_, i) => [i * 10]);
    const mixed = tableFrom(
      line,
      undefined,
      line.map((_, i) => i % 2),
    );
    expect(folderAgreement(mixed, { k: 2 }).precision).toBeCloseTo((2 * 0.5 + 18 * 0) / 20, 12);
    const clusters = clustered(400, 4, 4, 2, 5);
    const c = folderAgreement(clusters, { k: 10, maxQueries: 100, seed: 9 });
    expect(c.rowsEvaluated).toBe(100);
    expect(c.precision).toBeGreaterThan(0.9);
    expect(c.baseline).toBeCloseTo(99 / 399, 12);
    expect(() => folderAgreement(tableFrom([[0], [1]]))).toThrow(/folder id of each row/);
    expect(() => folderAgreement(t, { k: 12 })).toThrow(/at least 13 images/);
  });
});

describe('PCA', () => {
  const normal = gauss(lcg(21));
  // Rank-2 data in 5-D: x = m + a·u + b·v with var(a) = 9, var(b) = 1.
  const u = [1, 1, 0, 0, 0].map((x) => x / Math.SQRT2);
  const v = [0, 0, 1, 1, 1].map((x) => x / Math.sqrt(3));
  const m = [1, -2, 3, 0.5, 0];
  const rows = Array.from({ length: 400 }, () => {
    const a = 3 * normal();
    const b = normal();
    return m.map((mj, j) => mj + a * (u[j] as number) + b * (v[j] as number));
  });
  const t = tableFrom(rows);

  it('recovers the axes, variances and an exact inverse of rank-2 data', () => {
    const model = fitPca(t, 2);
    const c0 = Array.from(model.components.subarray(0, 5));
    const c1 = Array.from(model.components.subarray(5, 10));
    const dot = (x: number[], y: number[]) => x.reduce((s, xi, i) => s + xi * (y[i] as number), 0);
    // Sample axes of 400 draws: within ~1e-4 of the true ones.
    expect(Math.abs(dot(c0, u))).toBeCloseTo(1, 3);
    expect(Math.abs(dot(c1, v))).toBeCloseTo(1, 3);
    expect(model.variances[0]).toBeGreaterThan(6);
    expect(model.variances[1]).toBeLessThan(1.5);
    expect((model.explainedRatio[0] as number) + (model.explainedRatio[1] as number)).toBeCloseTo(
      1,
      6,
    );
    const y = pcaProject(model, t.mu);
    for (const i of [0, 7, 399]) {
      const back = pcaInverse(model, y.subarray(i * 2, i * 2 + 2));
      for (let j = 0; j < 5; j++) expect(back[j]).toBeCloseTo(rows[i]?.[j] as number, 4);
    }
    expect(Array.from(pcaInverse(model, [0, 0]))).toEqual(
      Array.from(model.mean).map((x) => expect.closeTo(x, 6)),
    );
  });

  it('full-rank PCA round-trips any row and refuses bad input', () => {
    const c = clustered(200, 6, 3, 4);
    const model = fitPca(c, 6);
    const y = pcaProject(model, c.mu.subarray(0, 6));
    const back = pcaInverse(model, y);
    for (let j = 0; j < 6; j++) expect(back[j]).toBeCloseTo(c.mu[j] as number, 4);
    expect(() => fitPca(c, 7)).toThrow(/number of components must be an integer in 1..6/);
    expect(() => pcaInverse(model, [1, 2])).toThrow(/has 2 values/);
    expect(() => fitPca(tableFrom([[1, 2]]))).toThrow(/at least 2 rows/);
  });
});

describe('attribute vectors', () => {
  it('centroid difference and application', () => {
    const t = tableFrom([
      [1, 0],
      [3, 2],
      [0, 0],
      [0, -2],
    ]);
    const vec = attributeVector(t, [0, 1], [2, 3]);
    expect(Array.from(vec)).toEqual([2, 2]);
    expect(Array.from(applyAttribute([1, 1], vec, 0.5))).toEqual([2, 2]);
    expect(() => attributeVector(t, [0, 1], [1, 2])).toThrow(/share 1 image/);
    expect(() => attributeVector(t, [], [1])).toThrow(/Group A needs at least 1 image/);
    expect(() => applyAttribute([1, 1], [1], 1)).toThrow(/has 1 values/);
  });

  it('AUC by ranks, with ties', () => {
    expect(auc([3, 4], [1, 2])).toBe(1);
    expect(auc([1, 2], [3, 4])).toBe(0);
    expect(auc([1, 3], [2, 2])).toBe(0.5);
    expect(auc([2], [2])).toBe(0.5);
  });

  it('consistency ≈ 1 for groups separated along a direction, ≈ 0.5 for identical groups', () => {
    const normal = gauss(lcg(5));
    const d = 8;
    const dir = [1, -1, 0, 0, 2, 0, 0, 0];
    const n = 200;
    const mu = new Float32Array(2 * n * d);
    for (let i = 0; i < 2 * n; i++) {
      const shift = i < n ? 1.5 : -1.5;
      for (let j = 0; j < d; j++) mu[i * d + j] = shift * (dir[j] as number) + normal();
    }
    const t = latentTable({
      n: 2 * n,
      d,
      mu,
      logvar: new Float32Array(mu.length),
      ids: Array.from({ length: 2 * n }, (_, i) => i),
    });
    const A = Array.from({ length: n }, (_, i) => i);
    const B = Array.from({ length: n }, (_, i) => n + i);
    const sep = attributeConsistency(t, A, B, { seed: 2 });
    expect(sep.auc).toBeGreaterThan(0.99);
    expect([sep.trainA, sep.heldOutA, sep.trainB, sep.heldOutB]).toEqual([100, 100, 100, 100]);
    // Identical distributions: two halves of group A.
    const same: number[] = [];
    for (let s = 1; s <= 20; s++) {
      same.push(attributeConsistency(t, A.slice(0, 100), A.slice(100), { seed: s }).auc);
    }
    const mean = same.reduce((a, b) => a + b, 0) / same.length;
    expect(mean).toBeGreaterThan(0.4);
    expect(mean).toBeLessThan(0.6);
    expect(() => attributeConsistency(t, [0], [1, 2])).toThrow(/at least 2 images/);
  });
});

describe('outliers', () => {
  it('ranks by score with z-scores', () => {
    const scores = [10, 50, 20, 50, 5];
    const ids = [101, 102, 103, 104, 105];
    const top = rankOutliers(scores, ids, 3);
    expect(top.map((o) => o.id)).toEqual([102, 104, 103]);
    const mean = 27;
    const std = Math.sqrt(scores.reduce((s, x) => s + (x - mean) ** 2, 0) / 5);
    expect(top[0]?.z).toBeCloseTo((50 - mean) / std, 12);
    expect(Array.from(zScores([3, 3, 3]))).toEqual([0, 0, 0]);
    expect(() => rankOutliers([1, NaN], [1, 2], 1)).toThrow(/Score 1 is NaN/);
    expect(() => rankOutliers([1, 2], [1, 2], 3)).toThrow(/only 2 images/);
    expect(() => rankOutliers([1, 2], [1], 1)).toThrow(/2 scores but 1 image ids/);
  });
});
