#!/usr/bin/env node
// Runs the ingest benchmarks of issue #3 (see docs/PERFORMANCE.md).
//
//   npm run bench                 full run (about 5 minutes on a 2-core machine, plus about a
//                                 minute to generate the images the first time)
//   npm run bench -- --quick      smoke run (under a minute): small folders, one repetition
//   npm run bench -- --only memory   only the benchmarks whose name contains "memory"
//
// bench/ingest-*.bench.ts are bundled with esbuild into build/bench/ (npm packages stay external)
// and run in a child process of its own, so memory figures are per benchmark. Every child
// prints one JSON object; all of them are written to bench/results/<date>-<host>[-quick].json.
//
// Environment (defaults for the full run):
//   LE_BENCH_DATA           image cache, reused between runs (<os.tmpdir()>/latent-explorer-bench)
//   LE_BENCH_PHOTOS         synthetic photos for the throughput run (400)
//   LE_BENCH_REAL_PHOTOS    real-photo files, copies of the mate-backgrounds photos (360)
//   LE_BENCH_FMNIST         Fashion-MNIST images for the throughput run (10000)
//   LE_BENCH_MEMORY_COUNTS  Fashion-MNIST folder sizes for the memory runs (5000,10000,20000)
//   LE_BENCH_REPS           alternating bare/ingest repetitions; the best of each counts (3)
//   LE_BENCH_CONCURRENCY    images decoded at once (default: the library's own default)
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { hostname, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    'no-save': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  console.log('usage: npm run bench [-- --quick] [-- --only NAME] [-- --no-save]');
  process.exit(0);
}
const quick = values.quick;
const env = process.env;
const int = (name, full, small) => Number(env[name] ?? (quick ? small : full));
const photos = int('LE_BENCH_PHOTOS', 400, 40);
const realPhotos = int('LE_BENCH_REAL_PHOTOS', 360, 24);
const fmnist = int('LE_BENCH_FMNIST', 10000, 1000);
const reps = int('LE_BENCH_REPS', 3, 1);
const memoryCounts = (env.LE_BENCH_MEMORY_COUNTS ?? (quick ? '1000,2000,4000' : '5000,10000,20000'))
  .split(',')
  .map(Number);

/** [name, entry, args] in running order. */
const plan = [
  ...[
    ['photos-synthetic', photos],
    ['photos-real', realPhotos],
    ['fashion-mnist', fmnist],
  ].map(([kind, count]) => [
    `throughput-${kind}`,
    'ingest-throughput.bench',
    ['--dataset', kind, '--count', String(count), '--reps', String(reps), '--breakdown'],
  ]),
  ...memoryCounts.map((count) => [
    `memory-fashion-mnist-${count}`,
    'ingest-memory.bench',
    ['--dataset', 'fashion-mnist', '--count', String(count)],
  ]),
  [
    `memory-photos-synthetic-${photos}`,
    'ingest-memory.bench',
    ['--dataset', 'photos-synthetic', '--count', String(photos)],
  ],
].filter(([name]) => !values.only || name.includes(values.only));

// ---------------------------------------------------------------------------- build
const outdir = join(root, 'build', 'bench');
// Only this runner's entries: other bench/*.ts files belong to other benchmarks.
const entries = ['ingest-throughput.bench.ts', 'ingest-memory.bench.ts', 'prepare.ts'].map((f) =>
  join(root, 'bench', f),
);
await build({
  entryPoints: entries,
  outdir,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  packages: 'external',
  sourcemap: 'linked',
  logLevel: 'warning',
});

/** Runs one bundled entry; resolves with the JSON object it printed. */
function runEntry(entry, args) {
  return new Promise((resolvePromise, reject) => {
    // --expose-gc: the memory benchmark collects garbage before and after (never during) timing.
    const child = spawn(process.execPath, ['--expose-gc', join(outdir, `${entry}.js`), ...args], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${entry} ${args.join(' ')} exited with ${code}`));
      try {
        resolvePromise(JSON.parse(out));
      } catch {
        reject(new Error(`${entry} printed no JSON object:\n${out}`));
      }
    });
  });
}

// ---------------------------------------------------------------------------- data
// Largest folder of each kind first: smaller ones are hard links into its files.
const needed = [
  ...new Set(
    plan.map(([, , args]) => {
      const kind = args[args.indexOf('--dataset') + 1];
      return `${kind}:${args[args.indexOf('--count') + 1]}`;
    }),
  ),
].sort((a, b) => Number(b.split(':')[1]) - Number(a.split(':')[1]));
console.log(`Preparing ${needed.join(', ')} (cached between runs)...`);
await runEntry('prepare', needed);

// ---------------------------------------------------------------------------- benchmarks
const startedAt = new Date();
console.log(
  `Load average before: ${loadavg()
    .map((n) => n.toFixed(2))
    .join(' ')}`,
);
const results = [];
for (const [name, entry, args] of plan) {
  console.log(`\n== ${name}`);
  const result = await runEntry(entry, args);
  results.push({ name, ...result });
  if (result.skipped) console.log(`   skipped: ${result.skipped}`);
  else if (result.benchmark === 'ingest-throughput')
    console.log(
      `   ingest ${result.imagesPerSec.ingest} images/s, bare ${result.imagesPerSec.bare} ` +
        `images/s, ratio ${result.ratio} (paired median ${result.pairedRatioMedian}); peak RSS ${result.peakRssMb.ingest} MB; ` +
        `loop lag p50/p99/max ${result.eventLoopLagMs.ingest.p50Ms}/` +
        `${result.eventLoopLagMs.ingest.p99Ms}/${result.eventLoopLagMs.ingest.maxMs} ms`,
    );
  else
    console.log(
      `   ${result.imagesPerSec} images/s; peak RSS ${result.peakRssMb} MB (maxRSS ` +
        `${result.maxRssMb} MB); loop lag p50/p99/max ${result.eventLoopLagMs.p50Ms}/` +
        `${result.eventLoopLagMs.p99Ms}/${result.eventLoopLagMs.maxMs} ms`,
    );
}
console.log(`\n${markdownSummary(results)}`);
const finishedAt = new Date();
const report = {
  startedAt: startedAt.toISOString(),
  finishedAt: finishedAt.toISOString(),
  quick,
  loadAverageAfter: loadavg().map((n) => Number(n.toFixed(2))),
  machine: results.find((r) => r.machine)?.machine,
  results,
};
console.log(
  `\nDone in ${((finishedAt - startedAt) / 1000).toFixed(0)} s; load average after: ` +
    report.loadAverageAfter.join(' '),
);
if (!values['no-save']) {
  const dir = join(root, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(
    dir,
    `${startedAt.toISOString().slice(0, 10)}-${hostname()}${quick ? '-quick' : ''}.json`,
  );
  // Formatted like the rest of the repository, so `npm run format:check` stays clean.
  let text = `${JSON.stringify(report, null, 2)}\n`;
  try {
    const prettier = await import('prettier');
    text = await prettier.format(text, { parser: 'json', filepath: file });
  } catch {
    // Prettier is a dev dependency: without it the plain JSON is written.
  }
  writeFileSync(file, text);
  console.log(`Results: ${file}`);
}

/** The results as the Markdown tables of docs/PERFORMANCE.md. */
function markdownSummary(list) {
  const lag = (l) => `${l.p50Ms} / ${l.p99Ms} / ${l.maxMs}`;
  const lines = [
    '| dataset | images | ingest images/s | bare images/s | ratio (best) | ratio (paired median) | CPU ms/image ingest / bare | peak RSS MB | loop lag p50 / p99 / max ms |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of list.filter((x) => x.benchmark === 'ingest-throughput' && !x.skipped)) {
    lines.push(
      `| ${r.dataset.kind} | ${r.dataset.images} | ${r.imagesPerSec.ingest} | ` +
        `${r.imagesPerSec.bare} | ${r.ratio} | ${r.pairedRatioMedian} | ${r.cpuMsPerImage.ingest} / ` +
        `${r.cpuMsPerImage.bare} | ${r.peakRssMb.ingest} | ${lag(r.eventLoopLagMs.ingest)} |`,
    );
  }
  lines.push(
    '',
    '| dataset | images | images/s | RSS before MB | peak RSS MB | maxRSS MB | catalogue MB | loop lag p50 / p99 / max ms | longest SQLite call ms |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const r of list.filter((x) => x.benchmark === 'ingest-memory' && !x.skipped)) {
    const longest = Object.entries(r.timings)
      .filter(([k]) => k.startsWith('sqlite.'))
      .sort((a, b) => b[1].maxMs - a[1].maxMs)[0];
    lines.push(
      `| ${r.dataset.kind} | ${r.dataset.images} | ${r.imagesPerSec} | ${r.rssBeforeIngestMb} | ` +
        `${r.peakRssMb} | ${r.maxRssMb} | ${r.catalogueMb} | ${lag(r.eventLoopLagMs)} | ` +
        `${longest ? `${longest[1].maxMs} (${longest[0].slice(7)})` : '-'} |`,
    );
  }
  return lines.join('\n');
}
