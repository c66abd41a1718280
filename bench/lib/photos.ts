/**
 * Deterministic "photo-like" JPEGs for the ingest benchmarks (there is no network here, so no
 * real photo collection can be downloaded). Each image is a smooth colour field (a few random
 * colours upscaled), mid- and high-frequency noise overlaid like texture and sensor grain, and a
 * handful of soft-edged shapes, encoded at JPEG quality 85 - file sizes and decode cost are in
 * the range of camera JPEGs of the same resolution. Every fourth image carries EXIF orientation 6
 * (a portrait phone photo), so the decoder's auto-orientation is exercised too.
 */
import sharp from 'sharp';
import { mulberry32 } from '../../app/random';

/** Resolutions between 1.2 and 5 MP, cycled through. */
export const PHOTO_SIZES: readonly (readonly [number, number])[] = [
  [1600, 1200],
  [2048, 1536],
  [2592, 1944],
  [1280, 960],
  [1920, 1080],
];

function noiseTile(rand: () => number, side: number, amplitude: number): Buffer {
  const out = Buffer.alloc(side * side * 3);
  for (let i = 0; i < out.length; i++) {
    // Sum of three uniforms: roughly Gaussian, centred on 128 (neutral for 'overlay').
    const g = (rand() + rand() + rand() - 1.5) / 1.5;
    out[i] = Math.max(0, Math.min(255, Math.round(128 + g * amplitude)));
  }
  return out;
}

function shapesSvg(rand: () => number, width: number, height: number): Buffer {
  const parts: string[] = [];
  const count = 5 + Math.floor(rand() * 8);
  const colour = () =>
    `rgb(${Math.floor(rand() * 256)},${Math.floor(rand() * 256)},${Math.floor(rand() * 256)})`;
  for (let i = 0; i < count; i++) {
    const x = rand() * width;
    const y = rand() * height;
    const r = (0.03 + rand() * 0.2) * Math.min(width, height);
    const opacity = (0.35 + rand() * 0.6).toFixed(2);
    const kind = Math.floor(rand() * 3);
    if (kind === 0) {
      parts.push(
        `<ellipse cx="${x.toFixed(0)}" cy="${y.toFixed(0)}" rx="${r.toFixed(0)}" ry="${(r * (0.5 + rand())).toFixed(0)}" fill="${colour()}" fill-opacity="${opacity}"/>`,
      );
    } else if (kind === 1) {
      const angle = (rand() * 90).toFixed(0);
      parts.push(
        `<rect x="${(x - r).toFixed(0)}" y="${(y - r / 2).toFixed(0)}" width="${(2 * r).toFixed(0)}" height="${r.toFixed(0)}" fill="${colour()}" fill-opacity="${opacity}" transform="rotate(${angle} ${x.toFixed(0)} ${y.toFixed(0)})"/>`,
      );
    } else {
      const pts = Array.from({ length: 3 + Math.floor(rand() * 3) }, () => {
        const a = rand() * Math.PI * 2;
        return `${(x + Math.cos(a) * r).toFixed(0)},${(y + Math.sin(a) * r).toFixed(0)}`;
      }).join(' ');
      parts.push(`<polygon points="${pts}" fill="${colour()}" fill-opacity="${opacity}"/>`);
    }
  }
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${parts.join('')}</svg>`,
  );
}

/** The JPEG bytes of photo number `index` (the same bytes for the same index, every time). */
export async function renderPhoto(index: number): Promise<Buffer> {
  const rand = mulberry32(0x5eed + index * 7919);
  const [width, height] = PHOTO_SIZES[index % PHOTO_SIZES.length] as readonly [number, number];
  // 1. Smooth colour field: a 6x5 grid of related colours, upscaled.
  const hue = [rand() * 255, rand() * 255, rand() * 255];
  const grid = Buffer.alloc(6 * 5 * 3);
  for (let i = 0; i < grid.length; i++) {
    const base = hue[i % 3] as number;
    grid[i] = Math.max(0, Math.min(255, Math.round(base + (rand() - 0.5) * 140)));
  }
  const field = await sharp(grid, { raw: { width: 6, height: 5, channels: 3 } })
    .resize(width, height, { fit: 'fill', kernel: 'cubic' })
    .raw()
    .toBuffer();
  // 2. Texture (mid-frequency blobs) and grain (per-pixel noise), 3. shapes.
  const blobs = await sharp(noiseTile(rand, 48, 120), {
    raw: { width: 48, height: 48, channels: 3 },
  })
    .resize(384, 384, { kernel: 'cubic' })
    .png({ compressionLevel: 1 })
    .toBuffer();
  const grain = await sharp(noiseTile(rand, 256, 60 + rand() * 30), {
    raw: { width: 256, height: 256, channels: 3 },
  })
    .png({ compressionLevel: 1 })
    .toBuffer();
  let out = sharp(field, { raw: { width, height, channels: 3 } }).composite([
    { input: shapesSvg(rand, width, height) },
    { input: blobs, tile: true, blend: 'soft-light' },
    { input: grain, tile: true, blend: 'overlay' },
  ]);
  if (index % 4 === 3) out = out.withMetadata({ orientation: 6 });
  return out.removeAlpha().jpeg({ quality: 85 }).toBuffer();
}
