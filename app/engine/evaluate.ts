/**
 * Held-out evaluation of a VAE on a dataset, in batches.
 *
 * - `evaluateElbo`: the negative ELBO per image, −log p(x|z) for one z ~ q(z|x) plus the
 *   closed-form KL (the quantity training minimises at β = 1), with its parts.
 * - `iwaeBound`: the importance-weighted bound of Burda et al. (2016),
 *     log p(x) ≥ log (1/k) Σ_i p(x|z_i) p(z_i) / q(z_i|x),  z_i ~ q(z|x),
 *   computed with log-sum-exp. k = 1 is an unbiased single-sample ELBO; the bound tightens
 *   monotonically in k. Reported negated (nats per image, lower is better) like the ELBO.
 *
 * Inputs are plain Float32Arrays of NHWC images in [0, 1] (not modified); results are plain
 * arrays. Both functions are async only to yield between batches (progress, cancellation).
 */
import * as tf from '@tensorflow/tfjs';
import { gaussianKl, reconstructionNll } from './loss';
import { pixelsPerImage } from './model/config';
import { decodeLogitsTensor, encodeTensor, type Vae } from './model/vae';
import { SeedSequence } from './rng';
import { reparameterize } from './forward';

const LOG_2PI = Math.log(2 * Math.PI);

export interface EvaluateOptions {
  /** Images per forward pass. Default 64. */
  batchSize?: number;
  /** Seed of the z samples; the same seed gives the same numbers. Default 0. */
  seed?: number;
  /** Called after each batch with images done and total. */
  onProgress?: (done: number, total: number) => void;
  /** Aborts between batches (rejects with the signal's reason). */
  signal?: AbortSignal;
}

export interface ElboOptions extends EvaluateOptions {
  /** Also return each image's μ and log σ² (from the same encoder pass). */
  posteriors?: boolean;
}

export interface ElboResult {
  count: number;
  /** Dataset means, nats per image. */
  negElbo: number;
  reconstruction: number;
  kl: number;
  /** Mean KL of each latent dimension. */
  klPerDim: Float32Array;
  perImageNegElbo: Float32Array;
  perImageReconstruction: Float32Array;
  perImageKl: Float32Array;
  /** Row-major [count, latentDim], when asked for with `posteriors`. */
  mu?: Float32Array;
  logVar?: Float32Array;
}

export interface IwaeResult {
  count: number;
  k: number;
  /** Dataset mean of −(IWAE bound), nats per image: an upper bound on −log p(x). */
  negBound: number;
  perImageNegBound: Float32Array;
}

interface Batches {
  count: number;
  per: number;
  size: number;
}

function planBatches(vae: Vae, images: Float32Array, batchSize: number): Batches {
  const per = pixelsPerImage(vae.config);
  if (images.length === 0 || images.length % per !== 0) {
    throw new Error(`Expected a whole number of ${per}-value images, got ${images.length} values.`);
  }
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new Error(`batchSize must be a positive integer.`);
  return { count: images.length / per, per, size: batchSize };
}

async function yieldBetweenBatches(signal?: AbortSignal): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 0));
  signal?.throwIfAborted();
}

function batchOf(vae: Vae, images: Float32Array, b: Batches, start: number): tf.Tensor4D {
  const n = Math.min(b.size, b.count - start);
  const { imageSize: s, channels: c } = vae.config;
  return tf.tensor4d(images.subarray(start * b.per, (start + n) * b.per), [n, s, s, c]);
}

const mean = (a: Float32Array): number => a.reduce((s, v) => s + v, 0) / a.length;

/** Negative ELBO (single z sample per image, analytic KL) over a dataset. */
export async function evaluateElbo(
  vae: Vae,
  images: Float32Array,
  options: ElboOptions = {},
): Promise<ElboResult> {
  const b = planBatches(vae, images, options.batchSize ?? 64);
  const seeds = new SeedSequence(options.seed ?? 0);
  const latent = vae.config.latentDim;
  const rec = new Float32Array(b.count);
  const kl = new Float32Array(b.count);
  const klPerDim = new Float64Array(latent);
  const mus = options.posteriors ? new Float32Array(b.count * latent) : null;
  const logVars = options.posteriors ? new Float32Array(b.count * latent) : null;
  for (let start = 0; start < b.count; start += b.size) {
    const seed = seeds.next();
    const [r, k, kd] = tf.tidy(() => {
      const x = batchOf(vae, images, b, start);
      const { mu, logVar } = encodeTensor(vae, x);
      mus?.set(mu.dataSync(), start * latent);
      logVars?.set(logVar.dataSync(), start * latent);
      const logits = decodeLogitsTensor(vae, reparameterize(mu, logVar, seed));
      const klMatrix = gaussianKl(mu, logVar);
      return [
        reconstructionNll(x, logits, vae.config).dataSync(),
        tf.sum(klMatrix, 1).dataSync(),
        tf.sum(klMatrix, 0).dataSync(),
      ];
    });
    rec.set(r, start);
    kl.set(k, start);
    kd.forEach((v, d) => (klPerDim[d] = (klPerDim[d] as number) + v));
    options.onProgress?.(start + r.length, b.count);
    await yieldBetweenBatches(options.signal);
  }
  const perImageNegElbo = rec.map((r, i) => r + (kl[i] as number));
  return {
    count: b.count,
    negElbo: mean(perImageNegElbo),
    reconstruction: mean(rec),
    kl: mean(kl),
    klPerDim: Float32Array.from(klPerDim, (v) => v / b.count),
    perImageNegElbo,
    perImageReconstruction: rec,
    perImageKl: kl,
    ...(mus && logVars ? { mu: mus, logVar: logVars } : {}),
  };
}

export interface IwaeOptions extends EvaluateOptions {
  /** Importance samples per image, >= 1. */
  k: number;
  /** Upper bound on decoded pixels held at once (samples are chunked to fit). Default 2^22. */
  maxPixelsInFlight?: number;
}

/**
 * log w = log p(x|z) + log p(z) − log q(z|x) for `samples` draws per image of a batch: [samples, N].
 * With z = μ + σ·ε: log q(z|x) = Σ_d −½(ε² + log σ² + log 2π) and log p(z) = Σ_d −½(z² + log 2π).
 */
function logWeights(
  vae: Vae,
  x: tf.Tensor4D,
  mu: tf.Tensor2D,
  logVar: tf.Tensor2D,
  samples: number,
  seed: number,
): tf.Tensor2D {
  return tf.tidy(() => {
    const n = x.shape[0];
    const muT = tf.tile(mu, [samples, 1]); // row s·N + i is image i, sample s
    const lvT = tf.tile(logVar, [samples, 1]);
    const eps = tf.randomNormal(muT.shape, 0, 1, 'float32', seed);
    const z = tf.add(muT, tf.mul(tf.exp(tf.mul(lvT, 0.5)), eps));
    const logPxz = tf.neg(
      reconstructionNll(
        tf.tile(x, [samples, 1, 1, 1]),
        decodeLogitsTensor(vae, z as tf.Tensor2D),
        vae.config,
      ),
    );
    const logPz = tf.mul(tf.sum(tf.add(tf.square(z), LOG_2PI), 1), -0.5);
    const logQz = tf.mul(tf.sum(tf.add(tf.add(tf.square(eps), lvT), LOG_2PI), 1), -0.5);
    return tf.reshape(tf.sub(tf.add(logPxz, logPz), logQz), [samples, n]) as tf.Tensor2D;
  });
}

/** The k-sample importance-weighted bound over a dataset (see the module comment). */
export async function iwaeBound(
  vae: Vae,
  images: Float32Array,
  options: IwaeOptions,
): Promise<IwaeResult> {
  const { k } = options;
  if (!Number.isInteger(k) || k < 1) throw new Error(`k must be a positive integer (got ${k}).`);
  const b = planBatches(vae, images, options.batchSize ?? 64);
  const seeds = new SeedSequence(options.seed ?? 0);
  const budget = options.maxPixelsInFlight ?? 2 ** 22;
  const perImage = new Float32Array(b.count);
  for (let start = 0; start < b.count; start += b.size) {
    const n = Math.min(b.size, b.count - start);
    const chunk = Math.max(1, Math.min(k, Math.floor(budget / (n * b.per))));
    const chunkSeeds: number[] = [];
    for (let done = 0; done < k; done += chunk) chunkSeeds.push(seeds.next());
    const bound = tf.tidy(() => {
      const x = batchOf(vae, images, b, start);
      const { mu, logVar } = encodeTensor(vae, x);
      const parts = chunkSeeds.map((seed, i) =>
        logWeights(vae, x, mu, logVar, Math.min(chunk, k - i * chunk), seed),
      );
      const logW = parts.length === 1 ? (parts[0] as tf.Tensor2D) : tf.concat(parts, 0);
      return tf.sub(tf.logSumExp(logW, 0), Math.log(k)).dataSync();
    });
    bound.forEach((v, i) => (perImage[start + i] = -v));
    options.onProgress?.(start + n, b.count);
    await yieldBetweenBatches(options.signal);
  }
  return { count: b.count, k, negBound: mean(perImage), perImageNegBound: perImage };
}
