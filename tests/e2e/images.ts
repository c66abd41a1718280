/** Builds folders of real image files (and broken ones) for the e2e tests, with sharp. */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';

type Format = 'png' | 'jpeg' | 'webp';

/** A small picture with a gradient and a coloured disc, so thumbnails are recognisable. */
async function picture(format: Format, width: number, height: number, seed: number) {
  const hue = (seed * 67) % 360;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1">
      <stop offset="0" stop-color="hsl(${hue},70%,55%)"/>
      <stop offset="1" stop-color="hsl(${(hue + 140) % 360},70%,35%)"/>
    </linearGradient></defs>
    <rect width="100%" height="100%" fill="url(#g)"/>
    <circle cx="${width * 0.6}" cy="${height * 0.4}" r="${Math.min(width, height) * 0.22}"
      fill="hsl(${(hue + 200) % 360},80%,70%)"/>
  </svg>`;
  const image = sharp(Buffer.from(svg));
  if (format === 'png') return image.png().toBuffer();
  if (format === 'webp') return image.webp({ quality: 80 }).toBuffer();
  return image.jpeg({ quality: 85 }).toBuffer();
}

export interface GoodImage {
  relPath: string;
  format: Format;
  width: number;
  height: number;
}

export interface BadImage {
  relPath: string;
  /** The problem kinds the library may report for it. */
  kinds: string[];
  /** A fragment of the reason it gives. */
  reason: RegExp;
}

export interface MixedFolder {
  root: string;
  good: GoodImage[];
  bad: BadImage[];
  /** Files the library ignores without listing them: a text file and a hidden image. */
  ignored: string[];
}

/**
 * Six real images (PNG, JPEG, WebP; two in nested folders) plus what a real photo folder holds
 * too: a zero-byte PNG, a "JPEG" that is text, a JPEG cut in half, a text file and a hidden image.
 */
export async function makeMixedFolder(): Promise<MixedFolder> {
  const root = await mkdtemp(path.join(tmpdir(), 'le-e2e-mixed-'));
  await mkdir(path.join(root, 'nested', 'deeper'), { recursive: true });
  const good: GoodImage[] = [
    { relPath: 'aurora.png', format: 'png', width: 160, height: 120 },
    { relPath: 'beach.jpg', format: 'jpeg', width: 300, height: 200 },
    { relPath: 'city.webp', format: 'webp', width: 90, height: 160 },
    { relPath: 'dune.jpeg', format: 'jpeg', width: 128, height: 128 },
    { relPath: 'nested/forest.png', format: 'png', width: 200, height: 100 },
    { relPath: 'nested/deeper/glacier.webp', format: 'webp', width: 64, height: 64 },
  ];
  await Promise.all(
    good.map(async (image, i) =>
      writeFile(
        path.join(root, image.relPath),
        await picture(image.format, image.width, image.height, i),
      ),
    ),
  );
  const whole = await picture('jpeg', 640, 480, 99);
  await writeFile(path.join(root, 'empty.png'), '');
  await writeFile(path.join(root, 'fake.jpg'), 'This is not a JPEG, just some text.\n');
  await writeFile(path.join(root, 'nested', 'truncated.jpg'), whole.subarray(0, whole.length >> 1));
  await writeFile(path.join(root, 'notes.txt'), 'not an image\n');
  await writeFile(path.join(root, '.hidden.png'), await picture('png', 32, 32, 7));
  return {
    root,
    good,
    bad: [
      { relPath: 'empty.png', kinds: ['empty'], reason: /empty/i },
      { relPath: 'fake.jpg', kinds: ['not-an-image'], reason: /not an image/i },
      // Usually "truncated (VipsJpeg: premature end of JPEG image)"; under concurrent decodes
      // libvips sometimes loses the message and the core can only say "corrupt (Unknown error)".
      {
        relPath: 'nested/truncated.jpg',
        kinds: ['truncated', 'corrupt'],
        reason: /truncated|corrupt/i,
      },
    ],
    ignored: ['notes.txt', '.hidden.png'],
  };
}

const BIG_COUNT = 600;
const BIG_ROOT = path.join(tmpdir(), `le-e2e-big-${BIG_COUNT}-v1`);

/**
 * A folder of {@link BIG_COUNT} distinct 800x600 noisy JPEGs (about 160 MB) whose ingest takes a
 * few seconds on a small machine: long enough to cancel it half-way. Made once (about 8 s on
 * two cores) and kept in the temp directory between runs; a `.complete` marker (a hidden file,
 * which the library ignores) says it is whole.
 */
export async function bigFolder(): Promise<{ root: string; count: number }> {
  const marker = path.join(BIG_ROOT, '.complete');
  if (existsSync(marker)) return { root: BIG_ROOT, count: BIG_COUNT };
  const staging = `${BIG_ROOT}.partial-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  const [width, height] = [800, 600];
  const noise = await sharp({
    create: {
      width,
      height,
      channels: 3,
      background: { r: 128, g: 128, b: 128 },
      noise: { type: 'gaussian', mean: 128, sigma: 40 },
    },
  })
    .raw()
    .toBuffer();
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < BIG_COUNT; i = next++) {
      const pixels = Buffer.from(noise);
      const tint = [(i * 37) % 64, (i * 91) % 64, (i * 53) % 64];
      for (let p = 0; p < pixels.length; p += 3) {
        pixels[p] = (pixels[p] ?? 0) ^ (tint[0] ?? 0);
        pixels[p + 1] = (pixels[p + 1] ?? 0) ^ (tint[1] ?? 0);
        pixels[p + 2] = (pixels[p + 2] ?? 0) ^ (tint[2] ?? 0);
      }
      // The tints repeat every 64 images: the index in the first pixels keeps every file distinct.
      pixels.writeUInt32BE((i * 2654435761) >>> 0, 0);
      await sharp(pixels, { raw: { width, height, channels: 3 } })
        .jpeg({ quality: 85 })
        .toFile(path.join(staging, `photo-${String(i).padStart(4, '0')}.jpg`));
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  await writeFile(path.join(staging, '.complete'), `${BIG_COUNT}\n`);
  await rm(BIG_ROOT, { recursive: true, force: true });
  await rename(staging, BIG_ROOT);
  return { root: BIG_ROOT, count: BIG_COUNT };
}

/** The bytes of a file, for comparing what the server sends with what is on disk. */
export function fileBytes(root: string, relPath: string): Promise<Buffer> {
  return readFile(path.join(root, relPath));
}
