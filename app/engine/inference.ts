/**
 * Using a (trained) VAE on plain arrays: encode images to posterior parameters, decode codes to
 * images, reconstruct. Batched, async between batches (progress and cancellation), with plain
 * Float32Array inputs (never modified) and outputs (owned by the caller). No tensors escape.
 */
import * as tf from '@tensorflow/tfjs';
import { pixelsPerImage } from './model/config';
import { decodeTensor, encodeTensor, type Vae } from './model/vae';

export interface BatchOptions {
  /** Items per forward pass. Default 128. */
  batchSize?: number;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

export interface Posteriors {
  count: number;
  latentDim: number;
  /** Posterior means, row-major [count, latentDim]. */
  mu: Float32Array;
  /** Posterior log-variances, row-major [count, latentDim]. */
  logVar: Float32Array;
}

function rows(length: number, per: number, what: string): number {
  if (length === 0 || length % per !== 0)
    throw new Error(`Expected a whole number of ${per}-value ${what}, got ${length} values.`);
  return length / per;
}

async function batched(
  count: number,
  options: BatchOptions,
  run: (start: number, n: number) => void,
): Promise<void> {
  const size = options.batchSize ?? 128;
  if (!Number.isInteger(size) || size < 1) throw new Error('batchSize must be a positive integer.');
  for (let start = 0; start < count; start += size) {
    options.signal?.throwIfAborted();
    const n = Math.min(size, count - start);
    run(start, n);
    options.onProgress?.(start + n, count);
    if (start + n < count) await new Promise((resolve) => setTimeout(resolve, 0));
  }
}

/** μ and log σ² of q(z|x) for NHWC images in [0, 1]. */
export async function encodeImages(
  vae: Vae,
  images: Float32Array,
  options: BatchOptions = {},
): Promise<Posteriors> {
  const { imageSize: s, channels: c, latentDim: l } = vae.config;
  const per = pixelsPerImage(vae.config);
  const count = rows(images.length, per, 'images');
  const mu = new Float32Array(count * l);
  const logVar = new Float32Array(count * l);
  await batched(count, options, (start, n) => {
    tf.tidy(() => {
      const x = tf.tensor4d(images.subarray(start * per, (start + n) * per), [n, s, s, c]);
      const out = encodeTensor(vae, x);
      mu.set(out.mu.dataSync(), start * l);
      logVar.set(out.logVar.dataSync(), start * l);
    });
  });
  return { count, latentDim: l, mu, logVar };
}

/** Mean images (NHWC, [0, 1]) for latent codes, row-major [count, latentDim]. */
export async function decodeLatents(
  vae: Vae,
  z: Float32Array,
  options: BatchOptions = {},
): Promise<Float32Array> {
  const l = vae.config.latentDim;
  const per = pixelsPerImage(vae.config);
  const count = rows(z.length, l, 'codes');
  const out = new Float32Array(count * per);
  await batched(count, options, (start, n) => {
    tf.tidy(() => {
      const codes = tf.tensor2d(z.subarray(start * l, (start + n) * l), [n, l]);
      out.set(decodeTensor(vae, codes).dataSync(), start * per);
    });
  });
  return out;
}

/** Deterministic reconstructions: decoder mean at the posterior mean, decode(μ(x)). */
export async function reconstructImages(
  vae: Vae,
  images: Float32Array,
  options: BatchOptions = {},
): Promise<Float32Array> {
  const { mu } = await encodeImages(vae, images, options);
  return decodeLatents(vae, mu, options);
}
