/**
 * The VAE objective (negative ELBO), in nats per image, averaged over the batch:
 *
 *   total = E_q[-log p(x|z)] + β_t · Σ_d max(KL_d, freeBits)
 *
 * - Reconstruction −log p(x|z), summed over pixels, from the decoder's *logits* (pre-sigmoid):
 *   - Bernoulli: binary cross-entropy on [0, 1] intensities, computed stably from logits l as
 *     max(l, 0) − x·l + log(1 + e^−|l|)  (never takes log of a saturated sigmoid).
 *   - Gaussian with fixed σ: mean μ = sigmoid(l);  0.5·((x − μ)/σ)² + log σ + 0.5·log 2π.
 * - KL(q(z|x) ‖ N(0, I)) in closed form per dimension: 0.5·(μ² + σ² − log σ² − 1).
 * - β_t: β linearly annealed from 0 over `warmupSteps` (KL warm-up, Bowman et al. 2016).
 * - Free bits (Kingma et al. 2016): each dimension's batch-mean KL is floored at `freeBits` nats
 *   in the objective, so the optimiser gains nothing by pushing a dimension below the floor.
 *   The reported `kl` is always the true, unfloored KL.
 *
 * All functions take tensors the caller owns and return new tensors the caller owns; run them
 * inside `tf.tidy` (the trainer and evaluator do).
 */
import * as tf from '@tensorflow/tfjs';
import { DEFAULT_GAUSSIAN_SIGMA, type Likelihood } from './model/config';

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

export interface LikelihoodOptions {
  likelihood: Likelihood;
  /** σ of the Gaussian likelihood (intensity units); ignored for Bernoulli. Default 0.1. */
  gaussianSigma?: number;
}

export interface LossOptions extends LikelihoodOptions {
  /** Weight of the KL term after warm-up. Default 1 (the true ELBO). */
  beta?: number;
  /** Per-dimension KL floor in nats applied to the batch-mean KL. Default 0 (off). */
  freeBits?: number;
}

export interface LossTensors {
  /** The optimised objective: reconstruction + β · Σ_d max(KL_d, freeBits). */
  total: tf.Scalar;
  /** Batch-mean −log p(x|z), nats per image. */
  reconstruction: tf.Scalar;
  /** Batch-mean KL(q(z|x) ‖ p(z)), nats per image (no β, no floor). */
  kl: tf.Scalar;
  /** Batch-mean KL of each latent dimension, [L]. */
  klPerDim: tf.Tensor1D;
  /** reconstruction + kl: the negative ELBO, nats per image. */
  negElbo: tf.Scalar;
}

/** Per-image −log p(x|z) [N], summed over pixels. `x` and `logits` are [N, H, W, C]. */
export function reconstructionNll(
  x: tf.Tensor,
  logits: tf.Tensor,
  options: LikelihoodOptions,
): tf.Tensor1D {
  return tf.tidy(() => {
    const n = x.shape[0] as number;
    let perPixel: tf.Tensor;
    if (options.likelihood === 'bernoulli') {
      perPixel = tf.add(
        tf.sub(tf.relu(logits), tf.mul(x, logits)),
        tf.log1p(tf.exp(tf.neg(tf.abs(logits)))),
      );
    } else {
      const sigma = options.gaussianSigma ?? DEFAULT_GAUSSIAN_SIGMA;
      const z = tf.div(tf.sub(x, tf.sigmoid(logits)), sigma);
      perPixel = tf.add(tf.mul(tf.square(z), 0.5), Math.log(sigma) + HALF_LOG_2PI);
    }
    return tf.sum(tf.reshape(perPixel, [n, -1]), 1) as tf.Tensor1D;
  });
}

/** Closed-form KL(N(μ, σ²) ‖ N(0, 1)) of each image and dimension, [N, L]. */
export function gaussianKl(mu: tf.Tensor2D, logVar: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() =>
    tf.mul(tf.sub(tf.sub(tf.add(tf.square(mu), tf.exp(logVar)), logVar), 1), 0.5),
  );
}

/** Computes every loss term for a batch. See the module comment for the formulas. */
export function vaeLoss(
  inputs: { x: tf.Tensor; logits: tf.Tensor; mu: tf.Tensor2D; logVar: tf.Tensor2D },
  options: LossOptions,
): LossTensors {
  const beta = options.beta ?? 1;
  const freeBits = options.freeBits ?? 0;
  if (!(beta >= 0) || !Number.isFinite(beta))
    throw new Error(`beta must be a finite number >= 0 (got ${beta}).`);
  if (!(freeBits >= 0) || !Number.isFinite(freeBits))
    throw new Error(`freeBits must be >= 0 nats (got ${freeBits}).`);
  return tf.tidy(() => {
    const reconstruction = tf.mean(
      reconstructionNll(inputs.x, inputs.logits, options),
    ) as tf.Scalar;
    const klPerDim = tf.mean(gaussianKl(inputs.mu, inputs.logVar), 0) as tf.Tensor1D;
    const kl = tf.sum(klPerDim) as tf.Scalar;
    const klObjective = freeBits > 0 ? tf.sum(tf.maximum(klPerDim, freeBits)) : kl;
    const total = tf.add(reconstruction, tf.mul(klObjective, beta)) as tf.Scalar;
    const negElbo = tf.add(reconstruction, kl) as tf.Scalar;
    return { total, reconstruction, kl, klPerDim, negElbo };
  });
}

export interface BetaSchedule {
  /** β after warm-up. */
  beta: number;
  /** Number of steps over which β rises linearly from 0; 0 disables warm-up. */
  warmupSteps?: number;
}

/** β for the step about to run (`step` = steps completed so far): β · min(1, step / warmupSteps). */
export function annealedBeta(schedule: BetaSchedule, step: number): number {
  const warm = schedule.warmupSteps ?? 0;
  if (warm <= 0) return schedule.beta;
  return schedule.beta * Math.min(1, Math.max(0, step) / warm);
}
