/**
 * Reference correctness benchmark (issue #4): the classic MLP VAE (784-512-16, ReLU, Bernoulli
 * likelihood) trained with the engine's `VaeTrainer` (Adam, lr 1e-3, batch 128) on Fashion-MNIST's
 * training images as [0, 1] intensities (not binarised), shuffled every epoch, the last partial
 * batch kept. Reports the test negative ELBO (single-sample, analytic KL, nats per image averaged
 * over the test images) and the IWAE bound (k samples) on the first test images. The PyTorch script
 * bench/reference/mlp_vae.py implements the same setup; run.mjs puts the two side by side.
 *
 *   node build/bench-engine/reference.bench.js --backend wasm [--epochs 10] [--train-count 60000]
 *     [--test-count 10000] [--iwae-count 1000] [--iwae-k 100] [--seed 0]
 */
import * as tf from '@tensorflow/tfjs';
import {
  countParameters,
  createVae,
  disposeVae,
  evaluateElbo,
  iwaeBound,
  VaeTrainer,
} from '../../app/engine';
import { loadFashionMnist } from '../../app/library/fashion-mnist';
import {
  activateBackend,
  args,
  intArg,
  log,
  machineRecord,
  main,
  mulberry32,
  parseBackend,
  REFERENCE_MLP,
  round,
} from './common';

/** Pixels as float32 intensities in [0, 1]: value / 255 (the app's own scaling). */
function intensities(pixels: Uint8Array, count: number, per: number): Float32Array {
  const out = new Float32Array(count * per);
  for (let i = 0; i < out.length; i++) out[i] = (pixels[i] as number) / 255;
  return out;
}

/** Fisher-Yates shuffle of 0..n-1 with a seeded PRNG. */
function permutation(n: number, seed: number): Uint32Array {
  const rand = mulberry32(seed);
  const p = new Uint32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = p[i] as number;
    p[i] = p[j] as number;
    p[j] = t;
  }
  return p;
}

main(async () => {
  const a = args([
    'backend',
    'epochs',
    'train-count',
    'test-count',
    'iwae-count',
    'iwae-k',
    'batch',
    'seed',
  ]);
  const backend = parseBackend(a.backend ?? 'wasm');
  const epochs = intArg(a, 'epochs', 10);
  const batch = intArg(a, 'batch', 128);
  const seed = intArg(a, 'seed', 0);
  const iwaeK = intArg(a, 'iwae-k', 100);
  const config = REFERENCE_MLP;
  const base = { benchmark: 'reference-elbo', implementation: 'tfjs', config };

  const active = await activateBackend(backend);
  if ('unavailable' in active) return { ...base, backend, skipped: active.unavailable };

  const per = config.imageSize * config.imageSize * config.channels;
  const trainSet = await loadFashionMnist('train');
  const testSet = await loadFashionMnist('test');
  const trainCount = Math.min(intArg(a, 'train-count', trainSet.count), trainSet.count);
  const testCount = Math.min(intArg(a, 'test-count', testSet.count), testSet.count);
  const iwaeCount = Math.min(intArg(a, 'iwae-count', 1000), testCount);
  const train = intensities(trainSet.images, trainCount, per);
  const test = intensities(testSet.images, testCount, per);

  const vae = createVae(config, { seed });
  const trainer = new VaeTrainer(vae, { learningRate: 1e-3, seed });
  log(
    `tfjs reference on ${backend}: ${trainCount} training images, ${epochs} epochs, batch ${batch}, ` +
      `Adam ${JSON.stringify(trainer.adam)}`,
  );

  const perEpoch: { epoch: number; trainNegElbo: number; seconds: number }[] = [];
  const stepsPerEpoch = Math.ceil(trainCount / batch);
  const buffer = new Float32Array(batch * per);
  const t0 = performance.now();
  let steps = 0;
  for (let epoch = 0; epoch < epochs; epoch++) {
    const e0 = performance.now();
    const order = permutation(trainCount, seed * 1000 + epoch);
    let total = 0;
    for (let start = 0; start < trainCount; start += batch) {
      const n = Math.min(batch, trainCount - start);
      const x = n === batch ? buffer : new Float32Array(n * per);
      for (let i = 0; i < n; i++) {
        const src = (order[start + i] as number) * per;
        x.set(train.subarray(src, src + per), i * per);
      }
      const m = trainer.trainStep(x);
      total += m.negElbo * n;
      steps++;
      if (epoch === 0 && steps === 20) {
        const perStep = (performance.now() - t0) / steps;
        log(
          `~${perStep.toFixed(0)} ms/step: about ${((perStep * stepsPerEpoch * epochs) / 60000).toFixed(1)} min of training`,
        );
      }
    }
    trainer.epoch++;
    const seconds = (performance.now() - e0) / 1000;
    perEpoch.push({
      epoch: epoch + 1,
      trainNegElbo: round(total / trainCount),
      seconds: round(seconds, 2),
    });
    log(
      `epoch ${epoch + 1}: train -ELBO ${(total / trainCount).toFixed(2)} nats (${seconds.toFixed(1)} s)`,
    );
  }
  const trainSeconds = (performance.now() - t0) / 1000;

  const e0 = performance.now();
  const elbo = await evaluateElbo(vae, test, { batchSize: 500, seed: 12345 });
  const evalSeconds = (performance.now() - e0) / 1000;
  log(`test -ELBO ${elbo.negElbo.toFixed(3)} nats (${evalSeconds.toFixed(1)} s)`);

  let iwae: { count: number; k: number; negBound: number; seconds: number } | null = null;
  if (iwaeCount > 0 && iwaeK > 0) {
    const i0 = performance.now();
    const r = await iwaeBound(vae, test.subarray(0, iwaeCount * per), {
      k: iwaeK,
      batchSize: 50,
      seed: 777,
    });
    iwae = {
      count: r.count,
      k: r.k,
      negBound: r.negBound,
      seconds: round((performance.now() - i0) / 1000, 2),
    };
    log(
      `test -IWAE(k=${iwaeK}) on ${iwaeCount}: ${r.negBound.toFixed(3)} nats (${iwae.seconds} s)`,
    );
  }

  const result = {
    ...base,
    backend: active.record,
    parameters: countParameters(vae),
    adam: trainer.adam,
    trainImages: trainCount,
    epochs,
    batch,
    steps,
    seed,
    trainSeconds: round(trainSeconds, 2),
    imagesPerSec: round((epochs * trainCount) / trainSeconds, 1),
    perEpoch,
    test: {
      count: elbo.count,
      negElbo: elbo.negElbo,
      reconstruction: elbo.reconstruction,
      kl: elbo.kl,
      /** Latent dims with mean KL above 0.01 nats (a cheap proxy for active units). */
      dimsWithKlAbove001: Array.from(elbo.klPerDim).filter((v) => v > 0.01).length,
    },
    evalSeconds: round(evalSeconds, 2),
    iwae,
    tensorsAtEnd: tf.memory().numTensors,
    machine: machineRecord(),
  };
  trainer.dispose();
  disposeVae(vae);
  return result;
});
