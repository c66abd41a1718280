/**
 * Issue #4: the UI's process must stay responsive while a model trains, and decoding a single
 * latent (what a slider does) must stay fast. Starts the real service (as serve mode does) on a
 * scratch data directory, adds the Shapes demo (64x64 RGB), trains the default conv model in its
 * worker process, and meanwhile measures the main process's event-loop lag and the latency of
 * single-latent `decode` calls answered by the model worker. An idle phase gives the baseline.
 *
 *   node build/bench/training-lag.bench.js [--seconds 45] [--backend wasm]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { StepReport } from '../app/contract';
import { createExplorerService } from '../app/service/create';
import { emit, log, round } from './lib/common';
import { machineInfo } from './lib/machine';
import { startPhase } from './lib/monitor';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '45' },
    backend: { type: 'string', default: 'wasm' },
  },
});
const seconds = Number(values.seconds);
const backend = values.backend;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

const dataDir = await mkdtemp(join(tmpdir(), 'le-bench-train-'));
const service = createExplorerService({ dataDir, backend });
try {
  log('training-lag: preparing the Shapes demo…');
  const demo = await service.openDemo({ dataset: 'shapes' });

  const idle = startPhase();
  await new Promise((resolve) => setTimeout(resolve, 5000));
  const idleStats = idle.stop();

  const steps: StepReport[] = [];
  service.events.on('train:step', (s) => steps.push(s));
  const run = await service.startTraining({ epochs: 1000, checkpointEverySteps: 5 });
  log(
    `training-lag: run ${run.id} on ${run.trainImages} images, backend ${run.backend}; waiting for a checkpoint…`,
  );
  await new Promise<void>((resolve) => {
    const off = service.events.on('train:state', (r) => {
      if (r.id === run.id && r.checkpoint !== null) {
        off();
        resolve();
      }
    });
  });
  // Load the model in the model worker once before timing.
  const zero = Array.from({ length: run.model.latentDim }, () => 0);
  await service.decode({ runId: run.id, latents: [zero] });

  log(`training-lag: measuring for ${seconds} s…`);
  const phase = startPhase();
  const latencies: number[] = [];
  const until = performance.now() + seconds * 1000;
  let i = 0;
  while (performance.now() < until) {
    const z = zero.map((_, d) => Math.sin(i * 0.1 + d));
    const t0 = performance.now();
    await service.decode({ runId: run.id, latents: [z] });
    latencies.push(performance.now() - t0);
    i += 1;
    await new Promise((resolve) => setTimeout(resolve, 50)); // a slider moving at ~20 updates/s
  }
  const training = phase.stop();
  await service.cancelTraining({ runId: run.id });
  latencies.sort((a, b) => a - b);
  const recent = steps.slice(-10);
  emit({
    benchmark: 'training-lag',
    machine: machineInfo(),
    backend: run.backend,
    model: run.model,
    dataset: { name: 'shapes', images: demo.folder.imageCount, trainImages: run.trainImages },
    seconds,
    idleLoopLagMs: idleStats.loop,
    trainingLoopLagMs: training.loop,
    decodeWhileTrainingMs: {
      calls: latencies.length,
      p50: round(percentile(latencies, 50), 2),
      p95: round(percentile(latencies, 95), 2),
      max: round(latencies.at(-1) ?? NaN, 2),
    },
    trainingImagesPerSec: round(
      recent.reduce((a, s) => a + s.imagesPerSec, 0) / Math.max(recent.length, 1),
      1,
    ),
    mainProcessPeakRssMb: training.memory.peakRssMb,
  });
} finally {
  await service.dispose();
  await rm(dataDir, { recursive: true, force: true });
}
