/**
 * The images a run trains on, read from the library's pixel cache (never decoded again): a
 * stable train/validation split by content hash, seeded shuffling per epoch, and batches as
 * NHWC float32 in [0, 1].
 */
import type { Library, PreprocessSpec } from '../../library';
import { mulberry32 } from '../../random';

export interface Split {
  train: { imageIds: number[]; slots: number[] };
  validation: { imageIds: number[]; slots: number[] };
}

/**
 * Holds out images whose content hash falls in the first `fraction` of the hash space, so the
 * split does not depend on folder order and an image stays on its side across runs and resumes.
 */
export function splitByHash(
  set: { imageIds: number[]; hashes: string[]; slots: number[] },
  fraction: number,
): Split {
  const split: Split = {
    train: { imageIds: [], slots: [] },
    validation: { imageIds: [], slots: [] },
  };
  const threshold = Math.round(fraction * 0x10000);
  set.imageIds.forEach((id, i) => {
    const bucket = parseInt((set.hashes[i] ?? '0000').slice(0, 4), 16);
    const side = bucket < threshold ? split.validation : split.train;
    side.imageIds.push(id);
    side.slots.push(set.slots[i] as number);
  });
  return split;
}

/** The order of the training images in an epoch: the same for the same seed and epoch. */
export function epochOrder(count: number, seed: number, epoch: number): Uint32Array {
  const order = new Uint32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  const random = mulberry32(seed * 1_000_003 + epoch);
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = order[i] as number;
    order[i] = order[j] as number;
    order[j] = t;
  }
  return order;
}

/** At most this many held-out images are evaluated per epoch (about 6 MB of pixels at 28 px). */
export const MAX_VALIDATION_IMAGES = 2000;

export interface ValidationSelection {
  /** Positions in the held-out split, in a seeded random order. */
  indices: Uint32Array;
  sampling: 'all' | 'random';
}

/**
 * The held-out images an epoch is evaluated on: a uniform sample of `max` of the `count` (all of
 * them when there are no more), drawn without replacement by a partial Fisher–Yates shuffle
 * seeded by the run's seed, so every epoch and every resume sees the same images. Never the
 * first `max` in path order: with class sub-folders those are two or three classes.
 */
export function validationSample(count: number, max: number, seed: number): ValidationSelection {
  const take = Math.min(count, max);
  const order = new Uint32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  // Its own stream: not the same numbers as any epoch's order of the training images.
  const random = mulberry32((Math.imul(seed, 0x9e3779b1) ^ 0x5eed) >>> 0);
  for (let i = 0; i < take; i++) {
    const j = i + Math.floor(random() * (count - i));
    const t = order[i] as number;
    order[i] = order[j] as number;
    order[j] = t;
  }
  return { indices: order.slice(0, take), sampling: take < count ? 'random' : 'all' };
}

export interface PixelSource {
  readonly pixelsPerImage: number;
  /** Pixels of the given cache slots as float32 in [0, 1]. */
  read(slots: readonly number[]): Promise<Float32Array>;
}

export function libraryPixelSource(library: Library, spec: PreprocessSpec): PixelSource {
  const pixelsPerImage = spec.size * spec.size * spec.channels;
  let buffer = new Uint8Array(0);
  return {
    pixelsPerImage,
    async read(slots) {
      if (buffer.length < slots.length * pixelsPerImage)
        buffer = new Uint8Array(slots.length * pixelsPerImage);
      const bytes = await library.readPixels(
        spec,
        slots,
        buffer.subarray(0, slots.length * pixelsPerImage),
      );
      const out = new Float32Array(slots.length * pixelsPerImage);
      for (let i = 0; i < out.length; i++) out[i] = (bytes[i] as number) / 255;
      return out;
    },
  };
}
