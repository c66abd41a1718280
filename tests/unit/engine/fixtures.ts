/** Tiny synthetic datasets and configs shared by the engine tests. */
import type { VaeConfig } from '../../../app/engine/model/config';
import { mulberry32 } from '../../../app/random';

export { mulberry32 };

export const TINY_CONV: VaeConfig = {
  architecture: 'conv',
  imageSize: 28,
  channels: 1,
  latentDim: 2,
  widths: [4, 8],
  likelihood: 'bernoulli',
};

/**
 * `count` images of size x size x channels, NHWC in [0, 1]: a bright axis-aligned bar (horizontal
 * or vertical, random position and thickness) on a dark background with a little noise. Simple
 * enough for a 2-D latent space to capture in a few dozen steps.
 */
export function barImages(count: number, size: number, channels = 1, seed = 1): Float32Array {
  const rand = mulberry32(seed);
  const out = new Float32Array(count * size * size * channels);
  for (let n = 0; n < count; n++) {
    const vertical = rand() < 0.5;
    const start = Math.floor(rand() * (size - 8)) + 2;
    const width = 3 + Math.floor(rand() * 4);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const p = vertical ? x : y;
        const on = p >= start && p < start + width;
        for (let c = 0; c < channels; c++) {
          const v = on ? 0.9 + 0.1 * rand() : 0.1 * rand();
          out[((n * size + y) * size + x) * channels + c] = v;
        }
      }
    }
  }
  return out;
}
