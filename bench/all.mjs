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

/**
 * Bundles a TypeScript benchmark, runs it, echoes its JSON stdout and keeps it as
 * bench/results/<name>-<date>[-quick].json.
 */
const runBundled = async (name, entry, args) => {
  const outfile = join(root, 'build', 'bench', `${name}.bench.js`);
  await build({
    entryPoints: [join(root, ...entry.split('/'))],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    packages: 'external',
    logLevel: 'warning',
  });
  console.log(`\n== ${name}`);
  const result = spawnSync(process.execPath, [outfile, ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`${name} failed with exit code ${result.status}`);
  process.stdout.write(result.stdout);
  const dir = join(root, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const date = new Date().toISOString().slice(0, 10);
  writeFileSync(join(dir, `${name}-${date}${values.quick ? '-quick' : ''}.json`), result.stdout);
};

if (!skip.has('lag'))
  await runBundled('training-lag', 'bench/training-lag.bench.ts', [
    '--seconds',
    values.quick ? '10' : '40',
  ]);

if (!skip.has('engine')) run(['bench/engine/run.mjs', ...quick]);

if (!skip.has('knn'))
  await runBundled('latent-knn', 'bench/latent/knn.bench.ts', [
    '--rows',
    values.quick ? '5000' : '50000',
  ]);
