import { describe, expect, it } from 'vitest';
import {
  METRICS,
  buildHnswIndex,
  exactKnn,
  measureRecall,
  type RecallReport,
} from '../../../app/latent';
import { clustered } from './fixtures';

const table = clustered(5000, 16, 20, 5, 3);
const reports: RecallReport[] = [];

describe('HNSW (usearch) against exact search on 5,000 × 16 clustered codes', () => {
  for (const metric of METRICS) {
    it(`recall@10 ≥ 0.95 for ${metric}`, async () => {
      const index = await buildHnswIndex(table, { metric });
      expect(index.space).toBe(metric === 'euclidean' || metric === 'cosine' ? 'mu' : 'mu-sigma');
      const report = measureRecall(index, { k: 10, queries: 100, seed: 3 });
      reports.push(report);
      expect(report.recall).toBeGreaterThanOrEqual(0.95);
      // Distances come from the exact kernels, so shared neighbours agree exactly.
      const exact = exactKnn(table, { row: 42 }, { k: 10, metric });
      const approx = index.search({ row: 42 }, { k: 10, metric });
      const byIndex = new Map(exact.map((n) => [n.index, n.distance]));
      for (const n of approx)
        if (byIndex.has(n.index)) expect(n.distance).toBe(byIndex.get(n.index));
      expect(approx.some((n) => n.index === 42)).toBe(false);
    });
  }

  it('prints the measured recall and timings', () => {
    for (const r of reports) {
      console.log(
        `${r.metric.padEnd(14)} recall@${r.k}=${r.recall.toFixed(3)} (min ${r.minRecall.toFixed(2)}) build ${r.buildMs.toFixed(0)} ms, exact mean ${r.exactMs.mean.toFixed(2)} ms p95 ${r.exactMs.p95.toFixed(2)}, hnsw mean ${r.hnswMs.mean.toFixed(3)} ms p95 ${r.hnswMs.p95.toFixed(3)}`,
      );
    }
    expect(reports.length).toBe(METRICS.length);
  });

  it('restricts to folders, falling back to exact for a tiny folder', async () => {
    const index = await buildHnswIndex(table, { metric: 'euclidean' });
    const got = index.search({ row: 0 }, { k: 10, folders: [3, 4] });
    expect(got.every((n) => [3, 4].includes(table.folders?.[n.index] as number))).toBe(true);
    // Folder 3 has 250 rows, so the oversampled candidates cover it: recall is measured too.
    expect(
      measureRecall(index, { k: 10, queries: 30, folders: [3] }).recall,
    ).toBeGreaterThanOrEqual(0.95);
    const q = { mu: Float32Array.from({ length: 16 }, () => 50) };
    expect(index.search(q, { k: 5, folders: [7] })).toEqual(
      exactKnn(table, q, { k: 5, folders: [7] }),
    );
  });

  it('refuses a metric other than its own, bare vectors for posterior metrics, and bad k', async () => {
    const index = await buildHnswIndex(table, { metric: 'wasserstein' });
    expect(() => index.search({ row: 0 }, { k: 5, metric: 'cosine' })).toThrow(
      /built for wasserstein/,
    );
    expect(() => index.search({ mu: new Float32Array(16) }, { k: 5 })).toThrow(/log σ²/);
    expect(() => index.search({ row: 0 }, { k: 5000 })).toThrow(/only 4999 images/);
    await expect(buildHnswIndex(table, { connectivity: 1 })).rejects.toThrow(/connectivity/);
    const ac = new AbortController();
    ac.abort();
    await expect(buildHnswIndex(table, { signal: ac.signal })).rejects.toMatchObject({
      code: 'CANCELLED',
    });
  });
});
