#!/usr/bin/env node
// Engine benchmarks of issue #4 (see bench/engine/RESULTS.md): the tfjs engine beside a PyTorch
// reference of the same models (bench/reference/mlp_vae.py).
//
//   node bench/engine/run.mjs                      full run (~25 min on 2 cores; 17 min of it is
//                                                  the tfjs reference training)
//   node bench/engine/run.mjs --quick              smoke run (~1 min): 1 epoch on 6k images,
//                                                  few steps, wasm only
//   node bench/engine/run.mjs --only reference     parity check + reference ELBO (tfjs and PyTorch)
//   node bench/engine/run.mjs --only throughput    training images/s (+ a per-kernel profile on wasm)
//   node bench/engine/run.mjs --only latency       batched encode images/s, one-latent decode p50/p95
//   options: --backends wasm,cpu (default: tensorflow,wasm,cpu, --quick: tensorflow,wasm;
//            a backend that cannot load here, e.g. tensorflow without tfjs-node, is skipped)
//            --no-save (do not write bench/results/), --no-torch (tfjs only)
//
// Each bench/engine/*.bench.ts is bundled with esbuild into build/bench-engine/ (npm packages stay
// external, so tfjs-backend-wasm finds its .wasm files next to its own JS) and every benchmark
// runs in a child process of its own. A child prints one JSON object on stdout; the runner prints
// one JSON line per benchmark and writes everything to bench/results/engine-<date>[-quick].json.
//
// PyTorch: Debian's /usr/bin/python3 with python3-torch and python3-numpy (LE_BENCH_PYTHON
// overrides the interpreter). Without them the PyTorch rows are skipped with the reason.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    backends: { type: 'string' },
    'no-save': { type: 'boolean', default: false },
    'no-torch': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  console.log(
    'usage: node bench/engine/run.mjs [--quick] [--only reference|throughput|latency] ' +
      '[--backends wasm,cpu] [--no-save] [--no-torch]',
  );
  process.exit(0);
}
const GROUPS = ['reference', 'throughput', 'latency'];
if (values.only && !GROUPS.includes(values.only)) {
  console.error(`--only must be one of ${GROUPS.join(', ')}`);
  process.exit(2);
}
const quick = values.quick;
const wants = (group) => !values.only || values.only === group;
// The pure-JS cpu backend needs ~10 s per conv64 step: the smoke run leaves it out unless asked.
const backends = (values.backends ?? (quick ? 'tensorflow,wasm' : 'tensorflow,wasm,cpu'))
  .split(',')
  .filter(Boolean);
const python = process.env.LE_BENCH_PYTHON ?? '/usr/bin/python3';
const script = join(root, 'bench', 'reference', 'mlp_vae.py');
const outdir = join(root, 'build', 'bench-engine');
const MODELS = ['mlp', 'conv28', 'conv64'];
const CONV = ['conv28', 'conv64'];

const P = quick
  ? {
      reference: [
        '--epochs',
        '1',
        '--train-count',
        '6000',
        '--iwae-count',
        '100',
        '--iwae-k',
        '100',
      ],
      train: { warmup: '1', steps: '3', maxSeconds: '3' },
      latency: { encodeCount: '512', decodes: '40', warmup: '5' },
      profileSteps: '1',
      paritySteps: '3',
    }
  : {
      reference: [
        '--epochs',
        '10',
        '--train-count',
        '60000',
        '--iwae-count',
        '1000',
        '--iwae-k',
        '100',
      ],
      train: { warmup: '3', steps: '30', maxSeconds: '40' },
      latency: { encodeCount: '2048', decodes: '200', warmup: '20' },
      profileSteps: '5',
      paritySteps: '5',
    };

// ---------------------------------------------------------------------------- build
await build({
  entryPoints: ['reference', 'throughput', 'latency', 'parity', 'profile'].map((n) =>
    join(here, `${n}.bench.ts`),
  ),
  outdir,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  packages: 'external',
  sourcemap: 'linked',
  logLevel: 'warning',
});

/** Runs a command; resolves with the JSON object it printed on stdout (stderr is passed through). */
function runJson(command, args, label) {
  return new Promise((resolvePromise, reject) => {
    const started = Date.now();
    const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${label} exited with ${code}`));
      try {
        const lines = out.trim().split('\n');
        const result = JSON.parse(lines[lines.length - 1]);
        result.wallSeconds = Number(((Date.now() - started) / 1000).toFixed(1));
        resolvePromise(result);
      } catch {
        reject(new Error(`${label} printed no JSON object:\n${out}`));
      }
    });
  });
}
const node = (entry, args) =>
  runJson(
    process.execPath,
    [join(outdir, `${entry}.bench.js`), ...args],
    `${entry} ${args.join(' ')}`,
  );
const torch = (args) => runJson(python, [script, ...args], `mlp_vae.py ${args.join(' ')}`);

// ---------------------------------------------------------------------------- environment
let torchProblem = null;
if (values['no-torch']) torchProblem = 'disabled with --no-torch';
else {
  const probe = spawnSync(python, ['-c', 'import torch, numpy; print(torch.__version__)'], {
    encoding: 'utf8',
  });
  if (probe.status !== 0) {
    torchProblem =
      `${python} cannot import torch and numpy (apt-get install python3-torch python3-numpy): ` +
      (probe.stderr || probe.error?.message || '').trim().split('\n').pop();
  }
}
if (torchProblem) console.log(`PyTorch rows skipped: ${torchProblem}`);

const started = new Date();
const results = [];
const summary = {};
/** Records a result: prints it as one JSON line and keeps it for the report. */
function record(name, result) {
  const entry = { name, ...result };
  results.push(entry);
  console.log(JSON.stringify(entry));
  return entry;
}
/** Runs one benchmark; a failure is recorded as an error instead of stopping the run. */
async function bench(name, run) {
  console.log(`\n== ${name}`);
  try {
    return record(name, await run());
  } catch (error) {
    return record(name, { error: error instanceof Error ? error.message : String(error) });
  }
}
const rel = (a, b) => (a - b) / b;
const pct = (x) => `${(100 * x).toFixed(2)}%`;
console.log(
  `Load average before: ${loadavg()
    .map((n) => n.toFixed(2))
    .join(' ')}`,
);

// The tensorflow backend needs @tensorflow/tfjs-node's native binding; probe it once.
const usable = [];
for (const b of backends) {
  if (b !== 'tensorflow') {
    usable.push(b);
    continue;
  }
  const probe = await node('throughput', [
    '--backend',
    b,
    '--model',
    'mlp',
    '--warmup',
    '0',
    '--steps',
    '2',
    '--max-seconds',
    '1',
  ]).catch((error) => ({ skipped: error.message }));
  if (probe.skipped) {
    record(`backend-${b}`, { benchmark: 'backend-probe', backend: b, skipped: probe.skipped });
    console.log(`backend ${b} skipped: ${probe.skipped}`);
  } else usable.push(b);
}

// ---------------------------------------------------------------------------- reference
if (wants('reference')) {
  // Parity first: it takes seconds and says whether the two implementations are the same function.
  const dir = join(tmpdir(), `latent-explorer-parity-${process.pid}`);
  const tfjsParity = await bench('parity-tfjs', () =>
    node('parity', ['--backend', 'wasm', '--dir', dir, '--steps', P.paritySteps]),
  );
  if (!torchProblem && !tfjsParity.error && !tfjsParity.skipped) {
    const torchParity = await bench('parity-pytorch', () =>
      torch(['parity', '--dir', dir, '--threads', '1']),
    );
    if (!torchParity.error) {
      summary.parity = tfjsParity.models.map((m, i) => {
        const t = torchParity.models[i];
        const diffs = m.steps.map((s, k) => Math.abs(rel(s.loss, t.steps[k].loss)));
        return {
          model: m.model,
          parameters: t.parameters,
          tfjsLoss: m.steps.map((s) => s.loss),
          pytorchLoss: t.steps.map((s) => s.loss),
          maxRelDiff: Math.max(...diffs),
        };
      });
      for (const p of summary.parity)
        console.log(
          `   parity ${p.model}: max |rel diff| over ${p.tfjsLoss.length} steps ${p.maxRelDiff.toExponential(2)}`,
        );
    }
  }
  rmSync(dir, { recursive: true, force: true });

  const refBackend = usable.includes('tensorflow') ? 'tensorflow' : 'wasm';
  const tfjsRef = await bench(`reference-tfjs-${refBackend}`, () =>
    node('reference', ['--backend', refBackend, ...P.reference]),
  );
  const torchRef = torchProblem
    ? record('reference-pytorch', {
        benchmark: 'reference-elbo',
        implementation: 'pytorch',
        skipped: torchProblem,
      })
    : await bench('reference-pytorch', () =>
        torch(['reference', '--threads', '2', ...P.reference]),
      );
  if (tfjsRef.test && torchRef.test) {
    summary.reference = {
      setup: `${tfjsRef.epochs} epochs on ${tfjsRef.trainImages} images, batch ${tfjsRef.batch}`,
      tfjsBackend: tfjsRef.backend.backend,
      tfjsNegElbo: tfjsRef.test.negElbo,
      pytorchNegElbo: torchRef.test.negElbo,
      relDiff: rel(tfjsRef.test.negElbo, torchRef.test.negElbo),
      tfjsNegIwae: tfjsRef.iwae?.negBound ?? null,
      pytorchNegIwae: torchRef.iwae?.negBound ?? null,
      iwaeRelDiff:
        tfjsRef.iwae && torchRef.iwae ? rel(tfjsRef.iwae.negBound, torchRef.iwae.negBound) : null,
      tfjsTrainSeconds: tfjsRef.trainSeconds,
      pytorchTrainSeconds: torchRef.trainSeconds,
    };
    const r = summary.reference;
    console.log(
      `   test -ELBO: tfjs ${r.tfjsNegElbo.toFixed(2)} vs PyTorch ${r.pytorchNegElbo.toFixed(2)} nats ` +
        `(${pct(r.relDiff)}); training ${r.tfjsTrainSeconds} s vs ${r.pytorchTrainSeconds} s`,
    );
  }
}

// ---------------------------------------------------------------------------- throughput
if (wants('throughput')) {
  const t = P.train;
  const common = ['--warmup', t.warmup, '--steps', t.steps, '--max-seconds', t.maxSeconds];
  summary.throughput = [];
  for (const b of usable) {
    for (const model of MODELS) {
      const r = await bench(`train-tfjs-${b}-${model}`, () =>
        node('throughput', ['--backend', b, '--model', model, ...common]),
      );
      if (r.imagesPerSec)
        summary.throughput.push({
          model,
          implementation: `tfjs ${b}`,
          imagesPerSec: r.imagesPerSec,
          stepMsP50: r.stepMs.p50Ms,
          steps: r.timedSteps,
        });
    }
  }
  if (!torchProblem) {
    for (const threads of ['1', '2']) {
      const r = await bench(`train-pytorch-${threads}thread`, () =>
        torch(['throughput', '--threads', threads, ...common]),
      );
      for (const row of r.results ?? [])
        summary.throughput.push({
          model: row.model,
          implementation: `pytorch ${threads} thread${threads === '1' ? '' : 's'}`,
          imagesPerSec: row.imagesPerSec,
          stepMsP50: row.stepMs.p50Ms,
          steps: row.timedSteps,
        });
    }
  }
  // Where a wasm step's time goes (kernel totals), for RESULTS.md's analysis.
  if (usable.includes('wasm')) {
    for (const model of MODELS)
      await bench(`profile-tfjs-wasm-${model}`, () =>
        node('profile', ['--backend', 'wasm', '--model', model, '--steps', P.profileSteps]),
      );
  }
}

// ---------------------------------------------------------------------------- latency
if (wants('latency')) {
  const l = P.latency;
  const common = ['--encode-count', l.encodeCount, '--decodes', l.decodes, '--warmup', l.warmup];
  summary.latency = [];
  for (const b of usable) {
    for (const model of CONV) {
      const r = await bench(`latency-tfjs-${b}-${model}`, () =>
        node('latency', [
          '--backend',
          b,
          '--model',
          model,
          ...common,
          '--max-seconds',
          quick ? '3' : '20',
        ]),
      );
      if (r.encode)
        summary.latency.push({
          model,
          implementation: `tfjs ${b}`,
          encodeImagesPerSec: r.encode.imagesPerSec,
          libraryEncodeImagesPerSec: r.libraryEncode?.imagesPerSec ?? null,
          decodeP50Ms: r.decodeOne.p50Ms,
          decodeP95Ms: r.decodeOne.p95Ms,
        });
    }
  }
  if (!torchProblem) {
    for (const threads of ['1', '2']) {
      const r = await bench(`latency-pytorch-${threads}thread`, () =>
        torch(['latency', '--threads', threads, '--model', CONV.join(','), ...common]),
      );
      for (const row of r.results ?? [])
        summary.latency.push({
          model: row.model,
          implementation: `pytorch ${threads} thread${threads === '1' ? '' : 's'}`,
          encodeImagesPerSec: row.encode.imagesPerSec,
          decodeP50Ms: row.decodeOne.p50Ms,
          decodeP95Ms: row.decodeOne.p95Ms,
        });
    }
  }
}

// ---------------------------------------------------------------------------- report
const finished = new Date();
const tfjsMachine = results.find((r) => r.machine?.tfjs)?.machine;
const torchMachine = results.find((r) => r.machine?.torch)?.machine;
const report = {
  startedAt: started.toISOString(),
  finishedAt: finished.toISOString(),
  seconds: Math.round((finished - started) / 1000),
  quick,
  only: values.only ?? null,
  machine: {
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
    totalMemoryGiB: Number((totalmem() / 1024 ** 3).toFixed(1)),
    node: process.version,
    tfjs: tfjsMachine?.tfjs ?? null,
    backends: usable,
    torch: torchMachine?.torch ?? null,
    python: torchMachine?.python ?? null,
    blas: torchMachine?.blas ?? null,
    loadAverageAfter: loadavg().map((n) => Number(n.toFixed(2))),
  },
  summary,
  results,
};
console.log(`\nSummary:\n${JSON.stringify(summary, null, 2)}`);
console.log(
  `\nDone in ${report.seconds} s; load average after: ${report.machine.loadAverageAfter.join(' ')}`,
);
if (!values['no-save']) {
  const dir = join(root, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const suffix = `${quick ? '-quick' : ''}${values.only ? `-${values.only}` : ''}`;
  const file = join(dir, `engine-${started.toISOString().slice(0, 10)}${suffix}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`Results: ${file}`);
}
