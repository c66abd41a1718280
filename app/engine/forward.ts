/**
 * The VAE's training-time forward pass and gradients for one batch:
 * (μ, log σ²) = encoder(x); z = μ + exp(0.5 · log σ²) · ε, ε ~ N(0, I) from a seed
 * (reparameterisation trick: gradients reach the encoder through z); logits = decoder(z);
 * loss terms from `loss.ts`; gradients with `tf.variableGrads` over every trainable variable.
 */
import * as tf from '@tensorflow/tfjs';
import { vaeLoss, type LossTensors } from './loss';
import { pixelsPerImage } from './model/config';
import { decodeLogitsTensor, encodeTensor, trainableVariables, type Vae } from './model/vae';

/**
 * A batch as given by callers: a Float32Array of N·H·W·C intensities in [0, 1] (NHWC; copied into a
 * tensor the engine frees) or a [N, H, W, C] tensor that stays owned by the caller.
 */
export type BatchInput = Float32Array | tf.Tensor4D;

/** Turns a batch into a tensor; inside `tf.tidy` a created tensor is freed with the scope. */
export function batchTensor(vae: Vae, batch: BatchInput): tf.Tensor4D {
  const { imageSize: s, channels: c } = vae.config;
  if (batch instanceof Float32Array) {
    const per = pixelsPerImage(vae.config);
    if (batch.length === 0 || batch.length % per !== 0) {
      throw new Error(
        `A batch must hold a whole number of ${s}x${s}x${c} images (got ${batch.length} values).`,
      );
    }
    return tf.tensor4d(batch, [batch.length / per, s, s, c]);
  }
  const [, h, w, ch] = batch.shape;
  if (h !== s || w !== s || ch !== c)
    throw new Error(`Batch shape [${batch.shape}] does not match ${s}x${s}x${c}.`);
  return batch;
}

/** z = μ + exp(0.5 · log σ²) · ε, ε ~ N(0, I) seeded by `seed`. */
export function reparameterize(mu: tf.Tensor2D, logVar: tf.Tensor2D, seed: number): tf.Tensor2D {
  return tf.tidy(() => {
    const eps = tf.randomNormal(mu.shape, 0, 1, 'float32', seed);
    return tf.add(mu, tf.mul(tf.exp(tf.mul(logVar, 0.5)), eps));
  });
}

export interface ForwardOptions {
  seed: number;
  beta: number;
  freeBits?: number;
}

/** The whole forward pass and loss for one batch (tensors owned by the caller / tidy). */
export function forwardLoss(vae: Vae, x: tf.Tensor4D, options: ForwardOptions): LossTensors {
  const { mu, logVar } = encodeTensor(vae, x);
  const z = reparameterize(mu, logVar, options.seed);
  const logits = decodeLogitsTensor(vae, z);
  return vaeLoss(
    { x, logits, mu, logVar },
    {
      likelihood: vae.config.likelihood,
      gaussianSigma: vae.config.gaussianSigma,
      beta: options.beta,
      freeBits: options.freeBits ?? 0,
    },
  );
}

/**
 * Loss terms and gradients of the objective w.r.t. every trainable variable, keyed by variable
 * name. Everything returned is owned by the caller (dispose `grads` and the loss tensors).
 */
export function lossAndGradients(
  vae: Vae,
  x: tf.Tensor4D,
  options: ForwardOptions,
): { terms: LossTensors; grads: tf.NamedTensorMap } {
  let terms: LossTensors | undefined;
  const { value, grads } = tf.variableGrads(() => {
    const t = forwardLoss(vae, x, options);
    // Keep the side terms alive past variableGrads' internal tidy; the caller disposes them.
    terms = {
      ...t,
      reconstruction: tf.keep(t.reconstruction),
      kl: tf.keep(t.kl),
      klPerDim: tf.keep(t.klPerDim),
      negElbo: tf.keep(t.negElbo),
    };
    return t.total;
  }, trainableVariables(vae));
  if (terms === undefined) throw new Error('The loss function did not run.');
  return { terms: { ...terms, total: value }, grads };
}
