/**
 * Reads Fashion-MNIST from the IDX files of Debian's `dataset-fashion-mnist` package (nothing is
 * downloaded). Used for the one-click demo library and by the engine's reference benchmark.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import sharp from 'sharp';
import { ExplorerError } from '../contract';

export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';
export const FASHION_MNIST_CLASSES = [
  't-shirt',
  'trouser',
  'pullover',
  'dress',
  'coat',
  'sandal',
  'shirt',
  'sneaker',
  'bag',
  'ankle-boot',
] as const;

export type FashionMnistSplit = 'train' | 'test';

export interface FashionMnist {
  /** `count` images of rows x cols uint8 pixels, row-major, one after another. */
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
  rows: number;
  cols: number;
}

/** Parses an IDX file: a big-endian header (magic with type and rank, then dims), then data. */
export function parseIdx(
  buffer: Buffer,
  expectedRank: number,
  file: string,
): { dims: number[]; data: Uint8Array } {
  if (buffer.length < 4)
    throw new ExplorerError('BAD_REQUEST', `${file} is not an IDX file (too short).`);
  const magic = buffer.readUInt32BE(0);
  const type = (magic >> 8) & 0xff;
  const rank = magic & 0xff;
  if (
    magic >>> 16 !== 0 ||
    type !== 0x08 ||
    rank !== expectedRank ||
    buffer.length < 4 + 4 * rank
  ) {
    throw new ExplorerError(
      'BAD_REQUEST',
      `${file} is not an unsigned-byte IDX file of rank ${expectedRank} (magic 0x${magic.toString(16)}).`,
    );
  }
  const dims = Array.from({ length: rank }, (_, i) => buffer.readUInt32BE(4 + 4 * i));
  const offset = 4 + 4 * rank;
  const expected = dims.reduce((a, b) => a * b, 1);
  if (buffer.length - offset < expected)
    throw new ExplorerError('BAD_REQUEST', `${file} is truncated.`);
  return { dims, data: new Uint8Array(buffer.buffer, buffer.byteOffset + offset, expected) };
}

function missingPackage(file: string, source: string): ExplorerError {
  const hint =
    source === FASHION_MNIST_DIR
      ? 'Fashion-MNIST comes from the Debian package dataset-fashion-mnist: install it with `sudo apt-get install dataset-fashion-mnist`.'
      : `Point the source at a folder holding the four Fashion-MNIST *-ubyte.gz files.`;
  return new ExplorerError('NOT_FOUND', `${file} not found. ${hint}`, { path: file });
}

export async function loadFashionMnist(
  split: FashionMnistSplit,
  source = FASHION_MNIST_DIR,
): Promise<FashionMnist> {
  const prefix = split === 'train' ? 'train' : 't10k';
  const imagesFile = path.join(source, `${prefix}-images-idx3-ubyte.gz`);
  const labelsFile = path.join(source, `${prefix}-labels-idx1-ubyte.gz`);
  for (const file of [imagesFile, labelsFile])
    if (!existsSync(file)) throw missingPackage(file, source);
  const images = parseIdx(gunzipSync(await readFile(imagesFile)), 3, imagesFile);
  const labels = parseIdx(gunzipSync(await readFile(labelsFile)), 1, labelsFile);
  const [count, rows, cols] = images.dims as [number, number, number];
  if (labels.dims[0] !== count) {
    throw new ExplorerError(
      'BAD_REQUEST',
      `${imagesFile} and ${labelsFile} disagree on the number of items.`,
    );
  }
  return { images: images.data, labels: labels.data, count, rows, cols };
}

export interface WritePngsOptions {
  out: string;
  count: number;
  split?: FashionMnistSplit;
  source?: string;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Writes the first `count` images as greyscale PNGs, one folder per class, plus labels.csv.
 * Deterministic. Returns how many were written.
 */
export async function writeFashionMnistPngs(options: WritePngsOptions): Promise<number> {
  const split = options.split ?? 'train';
  const data = await loadFashionMnist(split, options.source);
  const n = Math.min(options.count, data.count);
  const pixelsPerImage = data.rows * data.cols;
  await Promise.all(
    FASHION_MNIST_CLASSES.map((name) => mkdir(path.join(options.out, name), { recursive: true })),
  );
  const csv = ['file,label,class'];
  const digits = String(data.count - 1).length;
  for (let i = 0; i < n; i++) {
    if (options.signal?.aborted)
      throw new ExplorerError('CANCELLED', 'Writing the Fashion-MNIST demo was cancelled.');
    const label = data.labels[i] as number;
    const name = FASHION_MNIST_CLASSES[label] ?? `class-${label}`;
    const rel = `${name}/${split}-${String(i).padStart(digits, '0')}.png`;
    const pixels = data.images.subarray(i * pixelsPerImage, (i + 1) * pixelsPerImage);
    await sharp(pixels, { raw: { width: data.cols, height: data.rows, channels: 1 } })
      .toColourspace('b-w')
      .png()
      .toFile(path.join(options.out, rel));
    csv.push(`${rel},${label},${name}`);
    if ((i + 1) % 100 === 0 || i + 1 === n) options.onProgress?.(i + 1, n);
  }
  await writeFile(path.join(options.out, 'labels.csv'), `${csv.join('\n')}\n`);
  return n;
}
