import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerTrainingKernels } from '../../../app/engine/kernels/register';
import { createVae, disposeVae, type Vae } from '../../../app/engine/model/vae';
import { activeUnits } from '../../../app/engine/active-units';
import { lossAndGradients, reparameterize } from '../../../app/engine/forward';
import { VaeTrainer } from '../../../app/engine/train-step';
import { barImages, TINY_CONV } from './fixtures';

const DATA = barImages(32, 28, 1, 3);
const PER = 28 * 28;
const batch = (i: number, size = 16): Float32Array => {
  const n = DATA.length / PER;
  const start = (i * size) % n;
  return DATA.subarray(start * PER, (start + size) * PER);
};

let vae: Vae;
beforeAll(async () => {
  await tf.setBackend('cpu');
  registerTrainingKernels('cpu'); // the cpu backend's own Conv2DBackpropFilter is ~20x slower
  vae = createVae(TINY_CONV, { seed: 11 });
});
afterAll(() => disposeVae(vae));

describe('reparameterize', () => {
  it('is deterministic for a seed and scales the noise by exp(0.5 log σ²)', () => {
    tf.tidy(() => {
      const mu = tf.fill([2000, 2], 3) as tf.Tensor2D;
      const logVar = tf.fill([2000, 2], Math.log(4)) as tf.Tensor2D;
      const a = reparameterize(mu, logVar, 5);
      const b = reparameterize(mu, logVar, 5);
      const c = reparameterize(mu, logVar, 6);
      expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).toBe(0);
      expect(tf.max(tf.abs(tf.sub(a, c))).dataSync()[0]).toBeGreaterThan(0);
      const { mean, variance } = tf.moments(a);
      expect(mean.dataSync()[0]).toBeCloseTo(3, 0.5);
      expect(Math.sqrt(variance.dataSync()[0] as number)).toBeCloseTo(2, 0.5);
    });
  });
});

describe('lossAndGradients', () => {
  it('sends gradients to the encoder through the sampled z (β = 0: no KL path)', () => {
    const x = tf.tensor4d(batch(0, 8), [8, 28, 28, 1]);
    const { terms, grads } = lossAndGradients(vae, x, { seed: 1, beta: 0 });
    const norm = (layer: string) => {
      const name = vae.encoder.getLayer(layer).getWeights()[0]!;
      const g = Object.entries(grads).find(([k]) => k.startsWith(`${layer}/kernel`))?.[1];
      expect(g, `gradient for ${layer} (${name.shape})`).toBeDefined();
      return tf.tidy(() => tf.norm(g!).dataSync()[0] as number);
    };
    // log σ² only affects the loss through z = μ + σ ε when β = 0.
    expect(norm('z_log_var')).toBeGreaterThan(0);
    expect(norm('z_mean')).toBeGreaterThan(0);
    expect(norm('enc_conv_0')).toBeGreaterThan(0);
    expect(Object.keys(grads).length).toBe(
      vae.encoder.trainableWeights.length + vae.decoder.trainableWeights.length,
    );
    tf.dispose([
      x,
      grads,
      terms.total,
      terms.reconstruction,
      terms.kl,
      terms.klPerDim,
      terms.negElbo,
    ]);
  });
});

describe('VaeTrainer', () => {
  it('reduces the loss over 50 steps without leaking tensors', () => {
    const model = createVae(TINY_CONV, { seed: 3 });
    const trainer = new VaeTrainer(model, { learningRate: 3e-3, seed: 9 });
    const losses: number[] = [];
    let tensorsAfterStep2 = 0;
    for (let i = 0; i < 50; i++) {
      const m = trainer.trainStep(batch(i));
      losses.push(m.loss);
      expect(m.step).toBe(i);
      expect(m.klPerDim.length).toBe(2);
      expect(m.imagesPerSec).toBeGreaterThan(0);
      // Adam creates its moment slots on the first step; after that nothing may accumulate.
      if (i === 1) tensorsAfterStep2 = tf.memory().numTensors;
      if (i > 1) expect(tf.memory().numTensors).toBe(tensorsAfterStep2);
    }
    const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
    const first = mean(losses.slice(0, 5));
    const last = mean(losses.slice(-5));
    expect(last).toBeLessThan(0.75 * first);
    expect(trainer.getState()).toMatchObject({ step: 50, rng: { seed: 9, counter: 50 } });
    trainer.dispose();
    disposeVae(model);
  });

  it('anneals β during warm-up and accepts a tensor batch it does not free', () => {
    const trainer = new VaeTrainer(vae, { beta: 4, warmupSteps: 4 });
    const x = tf.tensor4d(batch(0, 4), [4, 28, 28, 1]);
    const betas = [0, 1, 2].map(() => trainer.trainStep(x).beta);
    expect(betas).toEqual([0, 1, 2]);
    expect(x.isDisposed).toBe(false);
    x.dispose();
    trainer.dispose();
  });

  it('rejects a batch of the wrong size', () => {
    const trainer = new VaeTrainer(vae);
    expect(() => trainer.trainStep(new Float32Array(100))).toThrow(/whole number of 28x28x1/);
    trainer.dispose();
  });
});

describe('activeUnits', () => {
  it('selects dims whose posterior-mean variance exceeds the threshold', () => {
    // dim 0 varies (var 1), dim 1 is nearly constant (var 0.0001), dim 2 varies a little (var 0.04).
    const mu = new Float32Array([1, 5, 0.2, -1, 5.01, -0.2, 1, 4.99, 0.2, -1, 5, -0.2]);
    const { indices, variances } = activeUnits(mu, 3);
    expect(indices).toEqual([0, 2]);
    expect(variances[0]).toBeCloseTo(1, 5);
    expect(variances[1]).toBeCloseTo(0.00005, 5);
    expect(activeUnits(mu, 3, 0.5).indices).toEqual([0]);
    expect(() => activeUnits(mu, 5)).toThrow(/whole number/);
  });
});
