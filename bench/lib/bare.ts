/**
 * The reference loop the ingest is compared with: read each file and turn it into the model's
 * pixels with exactly the sharp calls of app/library/decode.ts (step 2: one shrink-on-load
 * decode to the small sRGB intermediate, same options; step 3: the model resize), at the same
 * concurrency as the ingest. It leaves out everything else the ingest does - header check,
 * thumbnail, sha256, catalogue, pixel cache - so ingest / bare is the cost of that bookkeeping.
 *
 * `stageTimes` times each step of decode.ts (and the ingest's read and hash) one file at a time,
 * to show where an ingest's time goes.
 */
import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import sharp from 'sharp';
import { DEFAULT_DECODE_LIMITS } from '../../app/library/decode';
import { sha256 } from '../../app/library/fsutil';
import type { PreprocessSpec } from '../../app/library/types';

interface Intermediate {
  data: Buffer;
  raw: { raw: { width: number; height: number; channels: 1 | 2 | 3 | 4 } };
}

/** decode.ts step 2: one decode, shrink-on-load, to the small 8-bit sRGB(A) intermediate. */
async function decodeIntermediate(data: Buffer, spec: PreprocessSpec): Promise<Intermediate> {
  const bound = Math.max(spec.size, DEFAULT_DECODE_LIMITS.thumbnailSize);
  const base = await sharp(data, {
    failOn: DEFAULT_DECODE_LIMITS.failOn,
    limitInputPixels: DEFAULT_DECODE_LIMITS.maxInputPixels,
    sequentialRead: true,
    pages: 1,
  })
    .autoOrient()
    .resize({ width: bound, height: bound, fit: 'outside', withoutEnlargement: true })
    .toColourspace('srgb')
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  const channels = base.info.channels as 1 | 2 | 3 | 4;
  return {
    data: base.data,
    raw: { raw: { width: base.info.width, height: base.info.height, channels } },
  };
}

/** decode.ts step 3, model input: flatten alpha, channels, square resize. */
async function modelPixels(base: Intermediate, spec: PreprocessSpec): Promise<Buffer> {
  let model = sharp(base.data, base.raw);
  const { channels } = base.raw.raw;
  if (channels === 2 || channels === 4) model = model.flatten({ background: spec.background });
  return model
    .toColourspace(spec.channels === 1 ? 'b-w' : 'srgb')
    .resize(spec.size, spec.size, {
      fit: spec.fit,
      position: 'centre',
      background: spec.background,
    })
    .raw({ depth: 'uchar' })
    .toBuffer();
}

/** decode.ts step 3, thumbnail: 128 px WebP. */
function thumbnail(base: Intermediate): Promise<Buffer> {
  const size = DEFAULT_DECODE_LIMITS.thumbnailSize;
  return sharp(base.data, base.raw)
    .resize(size, size, { fit: 'inside', withoutEnlargement: true })
    .webp({ quality: 80 })
    .toBuffer();
}

/** decode.ts step 1: the header read. */
function header(data: Buffer) {
  return sharp(data, { limitInputPixels: false, failOn: DEFAULT_DECODE_LIMITS.failOn }).metadata();
}

export async function bareDecode(file: string, spec: PreprocessSpec): Promise<Buffer> {
  const data = await readFile(file);
  const pixels = await modelPixels(await decodeIntermediate(data, spec), spec);
  if (pixels.length !== spec.size * spec.size * spec.channels)
    throw new Error(`${file}: decoded to ${pixels.length} bytes`);
  return pixels;
}

/** Runs `task` over `items` with `concurrency` workers (the ingest's worker pattern). */
export async function forEachConcurrent<T>(
  items: readonly T[],
  concurrency: number,
  task: (item: T) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await task(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
}

export interface StageTimes {
  files: number;
  /** Mean wall time per file of each step, run one file at a time, in ms. */
  readMs: number;
  sha256Ms: number;
  headerMs: number;
  decodeMs: number;
  modelMs: number;
  thumbnailMs: number;
}

/** Times each per-file step of the ingest sequentially over (at most) the first `limit` files. */
export async function stageTimes(
  files: readonly string[],
  spec: PreprocessSpec,
  limit = 300,
): Promise<StageTimes> {
  const sum = { read: 0, sha256: 0, header: 0, decode: 0, model: 0, thumbnail: 0 };
  const list = files.slice(0, limit);
  const time = async <T>(key: keyof typeof sum, step: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    const value = await step();
    sum[key] += performance.now() - t0;
    return value;
  };
  for (const file of list) {
    const data = await time('read', () => readFile(file));
    await time('sha256', () => sha256(data));
    await time('header', () => header(data));
    const base = await time('decode', () => decodeIntermediate(data, spec));
    await time('model', () => modelPixels(base, spec));
    await time('thumbnail', () => thumbnail(base));
  }
  const mean = (ms: number) => Number((ms / list.length).toFixed(3));
  return {
    files: list.length,
    readMs: mean(sum.read),
    sha256Ms: mean(sum.sha256),
    headerMs: mean(sum.header),
    decodeMs: mean(sum.decode),
    modelMs: mean(sum.model),
    thumbnailMs: mean(sum.thumbnail),
  };
}
