/**
 * Training throughput of one model on one backend: `VaeTrainer.trainStep` (forward, loss,
 * gradients, Adam update, loss read-back) on synthetic uniform-random batches.
 *
 *   node build/bench-engine/throughput.bench.js --backend wasm --model conv28 \
 *     [--batch 64] [--warmup 3] [--steps 30] [--max-seconds 60]
 *
 * Warm-up steps (kernel compilation, allocation) are not timed. Then up to `steps` steps are
 * timed one by one, stopping early once `max-seconds` have been spent (at least 2 steps), so a
 * slow backend still fits the run's time budget; the result says how many steps were timed.
 * Throughput = images trained / seconds over the timed steps.
 */
import * as tf from '@tensorflow/tfjs';
import {
  countParameters,
  createVae,
  disposeVae,
  pixelsPerImage,
  VaeTrainer,
} from '../../app/engine';
import {
  activateBackend,
  args,
  intArg,
  log,
  machineRecord,
  main,
  modelConfig,
  parseBackend,
  parseModel,
  round,
  stats,
  uniformArray,
} from './common';

main(async () => {
  const a = args(['backend', 'model', 'batch', 'warmup', 'steps', 'max-seconds']);
  const backend = parseBackend(a.backend);
  const model = parseModel(a.model);
  const config = modelConfig(model);
  const batch = intArg(a, 'batch', config.architecture === 'mlp' ? 128 : 64);
  const warmup = intArg(a, 'warmup', 3);
  const steps = Math.max(2, intArg(a, 'steps', 30));
  const maxSeconds = intArg(a, 'max-seconds', 60);
  const base = { benchmark: 'train-throughput', implementation: 'tfjs', model, config, batch };

  const active = await activateBackend(backend);
  if ('unavailable' in active) return { ...base, backend, skipped: active.unavailable };

  const vae = createVae(config, { seed: 1 });
  const trainer = new VaeTrainer(vae, { learningRate: 1e-3, seed: 1 });
  const per = pixelsPerImage(config);
  // A few distinct batches, cycled: copying the Float32Array into a tensor is part of a step.
  const batches = [0, 1, 2, 3].map((i) => uniformArray(batch * per, 100 + i));

  const warmStart = performance.now();
  for (let i = 0; i < warmup; i++) trainer.trainStep(batches[i % batches.length] as Float32Array);
  const warmupMs = performance.now() - warmStart;
  log(`${backend} ${model}: ${warmup} warm-up steps in ${(warmupMs / 1000).toFixed(1)} s`);

  const tensorsBefore = tf.memory().numTensors;
  const times: number[] = [];
  const start = performance.now();
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    trainer.trainStep(batches[i % batches.length] as Float32Array);
    times.push(performance.now() - t0);
    if (i >= 1 && performance.now() - start > maxSeconds * 1000) break;
  }
  const seconds = (performance.now() - start) / 1000;
  const leaked = tf.memory().numTensors - tensorsBefore;
  log(
    `${backend} ${model}: ${times.length} steps in ${seconds.toFixed(1)} s = ` +
      `${((times.length * batch) / seconds).toFixed(1)} images/s`,
  );
  const parameters = countParameters(vae);
  trainer.dispose();
  disposeVae(vae);
  return {
    ...base,
    backend: active.record,
    parameters,
    warmupSteps: warmup,
    warmupMs: round(warmupMs, 1),
    timedSteps: times.length,
    requestedSteps: steps,
    stoppedEarly: times.length < steps,
    seconds: round(seconds, 2),
    imagesPerSec: round((times.length * batch) / seconds, 1),
    stepMs: stats(times),
    tensorsLeakedPerStep: round(leaked / times.length, 2),
    machine: machineRecord(),
  };
});
