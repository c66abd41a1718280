#!/usr/bin/env node
// `npm run bench`: every benchmark suite in turn (see docs/PERFORMANCE.md).
//   1. ingest throughput and memory        bench/run.mjs
//   2. responsiveness while training       bench/training-lag.bench.ts
//   3. VAE engine vs the PyTorch reference bench/engine/run.mjs (needs python3-torch for PyTorch)
//   4. latent k-NN: exact vs HNSW, recall  bench/latent/knn.bench.ts
// `--quick` is passed on to each (a few minutes in all); `--skip engine,ingest,lag,knn` leaves some out.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: { quick: { type: 'boolean', default: false }, skip: { type: 'string', default: '' } },
});
const skip = new Set(values.skip.split(',').filter(Boolean));
const quick = values.quick ? ['--quick'] : [];
const run = (args) => {
  const result = spawnSync(process.execPath, args, {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (result.status !== 0)
    throw new Error(`${args.join(' ')} failed with exit code ${result.status}`);
};

if (!skip.has('ingest')) run(['bench/run.mjs', ...quick]);

if (!skip.has('lag')) {
  const outfile = join(root, 'build', 'bench', 'training-lag.bench.js');
  await build({
    entryPoints: [join(root, 'bench', 'training-lag.bench.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    packages: 'external',
    logLevel: 'warning',
  });
  console.log('\n== training-lag');
  const lag = spawnSync(process.execPath, [outfile, '--seconds', values.quick ? '10' : '40'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  if (lag.status !== 0) throw new Error(`training-lag failed with exit code ${lag.status}`);
  process.stdout.write(lag.stdout);
  const dir = join(root, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const date = new Date().toISOString().slice(0, 10);
  writeFileSync(join(dir, `training-lag-${date}${values.quick ? '-quick' : ''}.json`), lag.stdout);
}

if (!skip.has('engine')) run(['bench/engine/run.mjs', ...quick]);

if (!skip.has('knn')) {
  const outfile = join(root, 'build', 'bench', 'knn.bench.js');
  await build({
    entryPoints: [join(root, 'bench', 'latent', 'knn.bench.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    packages: 'external',
    logLevel: 'warning',
  });
  console.log('\n== latent k-NN');
  const knn = spawnSync(process.execPath, [outfile, '--rows', values.quick ? '5000' : '50000'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  if (knn.status !== 0) throw new Error(`latent k-NN failed with exit code ${knn.status}`);
  process.stdout.write(knn.stdout);
  const dir = join(root, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const date = new Date().toISOString().slice(0, 10);
  writeFileSync(join(dir, `latent-knn-${date}${values.quick ? '-quick' : ''}.json`), knn.stdout);
}
