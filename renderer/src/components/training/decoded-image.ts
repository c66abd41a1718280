/** Turns a {@link DecodedImage} (base64 of uint8 HWC, grey or RGB) into canvas pixels. */
import type { DecodedImage } from '$contract/training';

export function toImageData(image: DecodedImage): ImageData {
  const { width, height, channels } = image;
  const binary = atob(image.data);
  const count = width * height;
  const rgba = new Uint8ClampedArray(count * 4);
  for (let i = 0; i < count; i++) {
    const p = i * 4;
    if (channels === 1) {
      const v = binary.charCodeAt(i);
      rgba[p] = v;
      rgba[p + 1] = v;
      rgba[p + 2] = v;
    } else {
      rgba[p] = binary.charCodeAt(i * 3);
      rgba[p + 1] = binary.charCodeAt(i * 3 + 1);
      rgba[p + 2] = binary.charCodeAt(i * 3 + 2);
    }
    rgba[p + 3] = 255;
  }
  return new ImageData(rgba, width, height);
}
