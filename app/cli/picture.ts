/**
 * Files the CLI writes with `-o`: decoded images composed into one PNG (a strip or a grid), and
 * text (the map's CSV). Every write is atomic (a temporary file in the same directory, then a
 * rename), never replaces an existing file without --force, and names the path when it fails.
 */
import { randomBytes } from 'node:crypto';
import { link, lstat, rename, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { ExplorerError, type DecodedImage } from '../contract';
import { UsageError } from './io';

/** Grey between and around unused cells. */
const BACKGROUND = 128;
/** The default upscaling makes every cell at least this many pixels on its shorter side. */
const MIN_CELL_PX = 96;
/** The default upscaling is reduced so a side stays below this (very long strips). */
const MAX_SIDE_PX = 16_384;

export interface WriteOptions {
  /** Replace an existing file. */
  force: boolean;
}

export interface PictureOptions extends WriteOptions {
  /** Integer nearest-neighbour upscaling of every image (default: cells of at least 96 px). */
  scale?: number;
  /** Background pixels between cells (default 1). */
  gap?: number;
}

export interface PictureInfo {
  width: number;
  height: number;
  channels: 1 | 3;
  scale: number;
  rows: number;
  columns: number;
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | null)?.code;
}

/**
 * Checks, before any work is done, that `file` can be written: its directory exists, and the
 * file does not (unless `force`). Throws a UsageError (exit 2) for an existing file, an
 * ExplorerError naming the path otherwise.
 */
export async function checkOutput(file: string, options: WriteOptions): Promise<void> {
  const dir = path.dirname(path.resolve(file));
  let dirStat;
  try {
    dirStat = await stat(dir);
  } catch (error) {
    if (errorCode(error) === 'ENOENT' || errorCode(error) === 'ENOTDIR')
      throw new ExplorerError(
        'NOT_FOUND',
        `Cannot write ${file}: the folder ${dir} does not exist.`,
      );
    throw writeFailure(file, error);
  }
  if (!dirStat.isDirectory())
    throw new ExplorerError('NOT_A_DIRECTORY', `Cannot write ${file}: ${dir} is not a folder.`);
  let existing;
  try {
    existing = await lstat(file);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return;
    throw writeFailure(file, error);
  }
  if (existing.isDirectory())
    throw new ExplorerError('NOT_A_DIRECTORY', `Cannot write ${file}: it is a folder.`);
  if (!options.force) throw new UsageError(`${file} exists: pass --force to overwrite it.`);
}

function writeFailure(file: string, error: unknown): ExplorerError {
  const code = errorCode(error);
  const dir = path.dirname(path.resolve(file));
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS')
    return new ExplorerError(
      'PERMISSION_DENIED',
      `Cannot write ${file}: no permission to write in ${dir}${code === 'EROFS' ? ' (read-only file system)' : ''}.`,
    );
  if (code === 'ENOSPC')
    return new ExplorerError('INTERNAL', `Cannot write ${file}: no space left on the device.`);
  const message = error instanceof Error ? error.message : String(error);
  return new ExplorerError('INTERNAL', `Cannot write ${file}: ${message}`);
}

/** Writes `data` to `file` atomically; an existing file is kept unless `force`. */
export async function writeFileAtomic(
  file: string,
  data: Buffer | string,
  options: WriteOptions,
): Promise<void> {
  await checkOutput(file, options);
  const temp = path.join(
    path.dirname(path.resolve(file)),
    `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
  try {
    await writeFile(temp, data, { flag: 'wx' });
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw writeFailure(file, error);
  }
  try {
    if (options.force) {
      await rename(temp, file);
      return;
    }
    // link() fails when the name exists, so a file created since the check is never replaced.
    try {
      await link(temp, file);
    } catch (error) {
      if (errorCode(error) === 'EEXIST')
        throw new UsageError(`${file} exists: pass --force to overwrite it.`);
      // File systems without hard links: the check above has to do.
      await checkOutput(file, options);
      await rename(temp, file);
      return;
    }
    await unlink(temp).catch(() => undefined);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    if (error instanceof UsageError || error instanceof ExplorerError) throw error;
    throw writeFailure(file, error);
  }
}

/** The pixels of a decoded image, checked against its size. */
function pixelsOf(image: DecodedImage, index: number): Buffer {
  const pixels = Buffer.from(image.data, 'base64');
  if (pixels.length !== image.width * image.height * image.channels) {
    throw new ExplorerError(
      'INTERNAL',
      `Image ${index + 1} has ${pixels.length} bytes of pixels, not ${image.width}×${image.height}×${image.channels}.`,
    );
  }
  return pixels;
}

/** The upscaling used when none is given: cells of at least 96 px, sides under 16k px. */
export function defaultScale(cellWidth: number, cellHeight: number, columns: number, rows = 1) {
  const wanted = Math.ceil(MIN_CELL_PX / Math.max(1, Math.min(cellWidth, cellHeight)));
  const fits = Math.floor(MAX_SIDE_PX / Math.max(cellWidth * columns, cellHeight * rows, 1));
  return Math.max(1, Math.min(wanted, fits));
}

/** Composes images into one raw buffer: `columns` per row, nearest-neighbour upscaled. */
export function composeImages(
  images: DecodedImage[],
  columns: number,
  options: { scale?: number; gap?: number } = {},
): { pixels: Buffer; info: PictureInfo } {
  if (images.length === 0) throw new ExplorerError('INTERNAL', 'There are no images to write.');
  if (!Number.isInteger(columns) || columns < 1)
    throw new ExplorerError('INTERNAL', `columns must be a positive whole number, not ${columns}.`);
  const cols = Math.min(columns, images.length);
  const rows = Math.ceil(images.length / cols);
  const cellW = Math.max(...images.map((i) => i.width));
  const cellH = Math.max(...images.map((i) => i.height));
  const scale = options.scale ?? defaultScale(cellW, cellH, cols, rows);
  const gap = options.gap ?? 1;
  if (!Number.isInteger(scale) || scale < 1)
    throw new ExplorerError('INTERNAL', `scale must be a positive whole number, not ${scale}.`);
  if (!Number.isInteger(gap) || gap < 0)
    throw new ExplorerError('INTERNAL', `gap must be a whole number, not ${gap}.`);
  const channels: 1 | 3 = images.some((i) => i.channels === 3) ? 3 : 1;
  const width = cols * cellW * scale + (cols - 1) * gap;
  const height = rows * cellH * scale + (rows - 1) * gap;
  const out = Buffer.alloc(width * height * channels, BACKGROUND);
  const rowBytes = width * channels;
  images.forEach((image, index) => {
    const src = pixelsOf(image, index);
    const x0 = (index % cols) * (cellW * scale + gap);
    const y0 = Math.floor(index / cols) * (cellH * scale + gap);
    const lineBytes = image.width * scale * channels;
    const line = Buffer.alloc(lineBytes);
    for (let sy = 0; sy < image.height; sy++) {
      // One upscaled source row, then copied `scale` times.
      for (let sx = 0; sx < image.width; sx++) {
        const from = (sy * image.width + sx) * image.channels;
        for (let r = 0; r < scale; r++) {
          const to = (sx * scale + r) * channels;
          for (let c = 0; c < channels; c++)
            line[to + c] = src[from + (image.channels === 1 ? 0 : c)] as number;
        }
      }
      for (let r = 0; r < scale; r++)
        line.copy(out, (y0 + sy * scale + r) * rowBytes + x0 * channels);
    }
  });
  return { pixels: out, info: { width, height, channels, scale, rows, columns: cols } };
}

/**
 * Writes images as one PNG, `columns` per row (a strip when it is their count), upscaled so
 * small models' frames are visible. Returns the picture's size.
 */
export async function writeImagesPng(
  file: string,
  images: DecodedImage[],
  columns: number,
  options: PictureOptions,
): Promise<PictureInfo> {
  await checkOutput(file, options);
  const { pixels, info } = composeImages(images, columns, options);
  const raw = sharp(pixels, {
    raw: { width: info.width, height: info.height, channels: info.channels },
    limitInputPixels: false,
  });
  // Greyscale frames stay a one-channel PNG (sharp would write RGB otherwise).
  const png = await (info.channels === 1 ? raw.toColourspace('b-w') : raw).png().toBuffer();
  await writeFileAtomic(file, png, options);
  return info;
}
