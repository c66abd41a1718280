/** Float images from the engine ([0, 1], NHWC) to the contract's DecodedImage (base64 uint8). */
import type { DecodedImage } from '../../contract';

export function toDecodedImages(
  pixels: Float32Array,
  count: number,
  size: number,
  channels: 1 | 3,
): DecodedImage[] {
  const per = size * size * channels;
  const images: DecodedImage[] = [];
  for (let n = 0; n < count; n++) {
    const bytes = Buffer.alloc(per);
    for (let i = 0; i < per; i++) {
      const v = pixels[n * per + i] as number;
      bytes[i] = Math.max(0, Math.min(255, Math.round(v * 255)));
    }
    images.push({ width: size, height: size, channels, data: bytes.toString('base64') });
  }
  return images;
}
