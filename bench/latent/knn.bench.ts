/**
 * Nearest-neighbour search in latent space: exact scan vs the HNSW index (usearch), recall@10
 * against exact search and per-query latency, on synthetic clustered posteriors (μ from 40
 * Gaussian clusters, σ varying per row). JSON on stdout; `--rows N` (default 50,000), `--dims D`
 * (16), `--queries Q` (100). Run by `npm run bench` (`--quick`: 5,000 rows).
 */
import { parseArgs } from 'node:util';
import {
  buildHnswIndex,
  measureRecall,
  METRICS,
  seededUniform,
  type LatentTable,
} from '../../app/latent';
import { machineRecord } from '../engine/common';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '50000' },
    dims: { type: 'string', default: '16' },
    queries: { type: 'string', default: '100' },
  },
});
const n = Number(values.rows);
const d = Number(values.dims);
const queries = Number(values.queries);
if (![n, d, queries].every((v) => Number.isInteger(v) && v > 0))
  throw new Error('--rows, --dims and --queries must be positive integers');

function clusteredTable(rows: number, dims: number): LatentTable {
  const random = seededUniform(7);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const centres = Array.from({ length: 40 }, () =>
    Float32Array.from({ length: dims }, () => 3 * normal()),
  );
  const mu = new Float32Array(rows * dims);
  const logvar = new Float32Array(rows * dims);
  const folders = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    const c = i % centres.length;
    folders[i] = c % 10;
    for (let j = 0; j < dims; j++) {
      mu[i * dims + j] = (centres[c] as Float32Array)[j]! + 0.5 * normal();
      logvar[i * dims + j] = -2 + random();
    }
  }
  return {
    n: rows,
    d: dims,
    mu,
    logvar,
    ids: Int32Array.from({ length: rows }, (_, i) => i + 1),
    folders,
  };
}

const table = clusteredTable(n, d);
const results = [];
for (const metric of METRICS) {
  const index = await buildHnswIndex(table, { metric });
  const report = measureRecall(index, { k: 10, queries });
  results.push(report);
  console.error(
    `${metric.padEnd(14)} recall@10 ${report.recall.toFixed(3)} (min ${report.minRecall.toFixed(2)}), build ${report.buildMs.toFixed(0)} ms, exact ${report.exactMs.mean.toFixed(2)} ms/query, hnsw ${report.hnswMs.mean.toFixed(3)} ms/query`,
  );
}
console.log(
  JSON.stringify(
    {
      bench: 'latent-knn',
      date: new Date().toISOString(),
      machine: machineRecord(),
      rows: n,
      dims: d,
      queries,
      results,
    },
    null,
    2,
  ),
);
