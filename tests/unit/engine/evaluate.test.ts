import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateElbo, iwaeBound } from '../../../app/engine/evaluate';
import { encodeImages } from '../../../app/engine/inference';
import { registerTrainingKernels } from '../../../app/engine/kernels/register';
import { createVae, disposeVae, type Vae } from '../../../app/engine/model/vae';
import { VaeTrainer } from '../../../app/engine/train-step';
import { barImages, TINY_CONV } from './fixtures';

const DATA = barImages(48, 28, 1, 8);
let trained: Vae;

beforeAll(async () => {
  await tf.setBackend('cpu');
  registerTrainingKernels('cpu');
  trained = createVae(TINY_CONV, { seed: 12 });
  const trainer = new VaeTrainer(trained, { learningRate: 5e-3, seed: 1 });
  const per = 28 * 28;
  for (let i = 0; i < 40; i++) {
    const start = (i * 16) % 48;
    trainer.trainStep(DATA.subarray(start * per, (start + 16) * per));
  }
  trainer.dispose();
});
afterAll(() => disposeVae(trained));

describe('evaluateElbo', () => {
  it('returns consistent per-image and mean terms, in batches', async () => {
    const progress: number[] = [];
    const r = await evaluateElbo(trained, DATA, {
      batchSize: 20,
      onProgress: (done) => progress.push(done),
    });
    expect(progress).toEqual([20, 40, 48]);
    expect(r.count).toBe(48);
    expect(r.perImageNegElbo.length).toBe(48);
    expect(r.negElbo).toBeCloseTo(r.reconstruction + r.kl, 3);
    expect(r.kl).toBeCloseTo(
      r.klPerDim.reduce((s, v) => s + v, 0),
      4,
    );
    expect(r.perImageKl.every((v) => v >= 0)).toBe(true);
    // Batching does not change the numbers beyond float noise, except for the sampled z.
    const whole = await evaluateElbo(trained, DATA, { batchSize: 48 });
    expect(whole.kl).toBeCloseTo(r.kl, 4);
  });

  it('returns the encoder posteriors from the same pass, leaking no tensors', async () => {
    const before = tf.memory().numTensors;
    const r = await evaluateElbo(trained, DATA, { batchSize: 20, posteriors: true });
    expect(tf.memory().numTensors).toBe(before);
    const p = await encodeImages(trained, DATA);
    expect(r.mu).toHaveLength(48 * TINY_CONV.latentDim);
    r.mu!.forEach((v, i) => expect(v).toBeCloseTo(p.mu[i]!, 5));
    r.logVar!.forEach((v, i) => expect(v).toBeCloseTo(p.logVar[i]!, 5));
    expect((await evaluateElbo(trained, DATA)).mu).toBeUndefined();
  });

  it('is reproducible with a seed', async () => {
    const a = await evaluateElbo(trained, DATA, { seed: 3 });
    const b = await evaluateElbo(trained, DATA, { seed: 3 });
    expect(a.negElbo).toBe(b.negElbo);
  });

  it('stops when aborted', async () => {
    const controller = new AbortController();
    const run = evaluateElbo(trained, DATA, {
      batchSize: 8,
      signal: controller.signal,
      onProgress: () => controller.abort(new Error('stop')),
    });
    await expect(run).rejects.toThrow('stop');
  });
});

describe('iwaeBound', () => {
  it('with k = 1 equals the ELBO in expectation (same seed)', async () => {
    // Same seed => same ε and z per image, so the reconstruction terms cancel exactly and the
    // difference is D = log q(z|x) − log p(z) − KL = Σ_d μσε + ½(σ² − 1)(ε² − 1): mean 0,
    // variance Σ_d μ²σ² + ½(σ² − 1)². Pin the posterior (μ = [1.5, 3], log σ² = [−4, 0.5]) so
    // both are known and far from the prior, which makes a missing or wrong term stand out.
    const vae = createVae(TINY_CONV, { seed: 13 });
    const mu = [1.5, 3];
    const logVar = [-4, 0.5];
    for (const [name, bias] of [
      ['z_mean', mu],
      ['z_log_var', logVar],
    ] as const) {
      const layer = vae.encoder.getLayer(name);
      const [kernel] = layer.getWeights();
      layer.setWeights([tf.zerosLike(kernel!), tf.tensor1d(bias)]);
    }
    const copies = 16;
    const many = new Float32Array(DATA.length * copies);
    for (let i = 0; i < copies; i++) many.set(DATA, i * DATA.length);
    const elbo = await evaluateElbo(vae, many, { seed: 5, batchSize: 128 });
    const iwae = await iwaeBound(vae, many, { k: 1, seed: 5, batchSize: 128 });
    // Both are negated bounds, so iwae − elbo = −D.
    const diff = iwae.perImageNegBound.map((v, i) => v - (elbo.perImageNegElbo[i] as number));
    const n = diff.length;
    const m = diff.reduce((s, v) => s + v, 0) / n;
    const variance = diff.reduce((s, v) => s + (v - m) ** 2, 0) / (n - 1);
    const expectedVariance = mu.reduce((s, u, d) => {
      const s2 = Math.exp(logVar[d]!);
      return s + u * u * s2 + 0.5 * (s2 - 1) ** 2;
    }, 0);
    expect(Math.abs(m)).toBeLessThan(4 * Math.sqrt(expectedVariance / n));
    expect(variance / expectedVariance).toBeGreaterThan(0.6);
    expect(variance / expectedVariance).toBeLessThan(1.6);
    disposeVae(vae);
  });

  it('tightens the bound: IWAE(k) <= ELBO in nats on a trained model', async () => {
    const elbo = await evaluateElbo(trained, DATA, { seed: 1 });
    const iwae = await iwaeBound(trained, DATA, {
      k: 32,
      seed: 1,
      maxPixelsInFlight: 16 * 28 * 28 * 8,
    });
    expect(iwae.negBound).toBeLessThan(elbo.negElbo);
    expect(iwae.perImageNegBound.every(Number.isFinite)).toBe(true);
  });

  it('does not leak tensors', async () => {
    const before = tf.memory().numTensors;
    await iwaeBound(trained, DATA.subarray(0, 4 * 784), {
      k: 5,
      batchSize: 2,
      maxPixelsInFlight: 784 * 4,
    });
    await evaluateElbo(trained, DATA.subarray(0, 4 * 784), { batchSize: 3 });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects a bad k or a partial image', async () => {
    await expect(iwaeBound(trained, DATA, { k: 0 })).rejects.toThrow(/k must/);
    await expect(evaluateElbo(trained, DATA.subarray(0, 100))).rejects.toThrow(/whole number/);
  });
});
