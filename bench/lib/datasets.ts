/**
 * The benchmark image folders, prepared once and cached under
 * `$LE_BENCH_DATA` (default `<os.tmpdir()>/latent-explorer-bench/`):
 *
 *   photos-synthetic/pool/photo-NNNNN.jpg   deterministic photo-like JPEGs (lib/photos.ts)
 *   photos-synthetic/nN/                    the first N of them (hard links)
 *   photos-real/nN/                         the JPEG photographs of the Debian package
 *                                           mate-backgrounds, each copied N/12 times with a
 *                                           distinct JPEG comment (so every file has its own
 *                                           sha256 and is decoded, not deduplicated)
 *   fashion-mnist/pool/<class>/*.png        app/library/fashion-mnist.ts output (28x28 grey PNGs)
 *   fashion-mnist/nN/<class>/*.png          the first N of them (hard links)
 *
 * A folder is complete when its hidden `.complete` marker exists (the library's walk skips
 * hidden files, so the marker is never ingested). Delete the directory to start afresh.
 */
import { existsSync } from 'node:fs';
import { link, mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { writeFashionMnistPngs } from '../../app/library/fashion-mnist';
import { renderPhoto } from './photos';

export type DatasetKind = 'photos-synthetic' | 'photos-real' | 'fashion-mnist';

export interface Dataset {
  kind: DatasetKind;
  /** The folder to ingest. */
  dir: string;
  /** Every image in it (absolute paths, in a fixed order), for the bare decode loop. */
  files: string[];
  count: number;
  /** Total size of the files (stats every file: call it outside measured phases). */
  totalBytes: () => Promise<number>;
  description: string;
}

/** Photographs shipped by the Debian package mate-backgrounds (1.3 to 4.9 MP JPEGs). */
export const REAL_PHOTO_DIR = '/usr/share/backgrounds/mate/nature';
const MARKER = '.complete';

export function dataRoot(): string {
  return process.env.LE_BENCH_DATA ?? join(tmpdir(), 'latent-explorer-bench');
}

const log = (message: string) => process.stderr.write(`[bench data] ${message}\n`);

async function isComplete(dir: string): Promise<string[] | null> {
  try {
    const text = await readFile(join(dir, MARKER), 'utf8');
    return text.split('\n').filter(Boolean);
  } catch {
    return null;
  }
}

/** Records the folder's file list (relative paths) as its completion marker. */
async function markComplete(dir: string, rel: string[]): Promise<void> {
  await writeFile(join(dir, `${MARKER}.tmp`), `${rel.join('\n')}\n`);
  await rename(join(dir, `${MARKER}.tmp`), join(dir, MARKER));
}

async function sizeOf(files: string[]): Promise<number> {
  let total = 0;
  for (const file of files) total += (await stat(file)).size;
  return total;
}

async function finish(
  kind: DatasetKind,
  dir: string,
  rel: string[],
  description: string,
): Promise<Dataset> {
  const files = rel.map((r) => join(dir, r));
  return {
    kind,
    dir,
    files,
    count: files.length,
    totalBytes: () => sizeOf(files),
    description,
  };
}

/** Runs `task(i)` for i in [0, n) with at most `limit` running at once. */
async function pool(n: number, limit: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < n) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(limit, n) }, worker));
}

async function linkSubset(poolDir: string, dir: string, rel: string[]): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  const dirs = new Set(rel.map((r) => dirname(join(dir, r))));
  for (const d of dirs) await mkdir(d, { recursive: true });
  await pool(rel.length, 16, (i) => {
    const r = rel[i] as string;
    return link(join(poolDir, r), join(dir, r));
  });
  await markComplete(dir, rel);
}

// ------------------------------------------------------------------------- synthetic photos
export async function syntheticPhotos(count: number): Promise<Dataset> {
  const base = join(dataRoot(), 'photos-synthetic');
  const dir = join(base, `n${count}`);
  const description =
    `${count} deterministic photo-like JPEGs (quality 85, 1.2-5.0 MP: 1600x1200, 2048x1536, ` +
    '2592x1944, 1280x960, 1920x1080; every 4th with EXIF orientation 6), bench/lib/photos.ts';
  const done = await isComplete(dir);
  if (done && done.length === count) return finish('photos-synthetic', dir, done, description);

  const poolDir = join(base, 'pool');
  await mkdir(poolDir, { recursive: true });
  const name = (i: number) => `photo-${String(i).padStart(5, '0')}.jpg`;
  const missing = Array.from({ length: count }, (_, i) => i).filter(
    (i) => !existsSync(join(poolDir, name(i))),
  );
  if (missing.length > 0) log(`generating ${missing.length} synthetic photos in ${poolDir}...`);
  let made = 0;
  await pool(missing.length, 2, async (k) => {
    const i = missing[k] as number;
    const tmp = join(poolDir, `.${name(i)}.tmp`);
    await writeFile(tmp, await renderPhoto(i));
    await rename(tmp, join(poolDir, name(i)));
    if (++made % 100 === 0) log(`  ${made} / ${missing.length}`);
  });
  const rel = Array.from({ length: count }, (_, i) => name(i));
  await linkSubset(poolDir, dir, rel);
  return finish('photos-synthetic', dir, rel, description);
}

// ------------------------------------------------------------------------- real photos
/** Inserts a JPEG comment (COM) segment right after SOI: same pixels, different bytes. */
export function withJpegComment(jpeg: Buffer, comment: string): Buffer {
  if (jpeg[0] !== 0xff || jpeg[1] !== 0xd8) throw new Error('not a JPEG file');
  const text = Buffer.from(comment, 'latin1');
  const segment = Buffer.alloc(4 + text.length);
  segment.writeUInt16BE(0xfffe, 0);
  segment.writeUInt16BE(2 + text.length, 2);
  text.copy(segment, 4);
  return Buffer.concat([jpeg.subarray(0, 2), segment, jpeg.subarray(2)]);
}

/** The mate-backgrounds photographs, or null when the package is not installed. */
export async function realPhotoSources(): Promise<string[] | null> {
  try {
    const names = (await readdir(REAL_PHOTO_DIR)).filter((n) => /\.jpe?g$/i.test(n)).sort();
    return names.length > 0 ? names.map((n) => join(REAL_PHOTO_DIR, n)) : null;
  } catch {
    return null;
  }
}

/** About `approxCount` files: every photograph copied round(approxCount / photographs) times. */
export async function realPhotos(approxCount: number): Promise<Dataset | null> {
  const sources = await realPhotoSources();
  if (!sources) return null;
  const copies = Math.max(1, Math.round(approxCount / sources.length));
  const count = sources.length * copies;
  const dir = join(dataRoot(), 'photos-real', `n${count}`);
  const description =
    `${sources.length} real photographs (JPEG, 1.3-4.9 MP) from the Debian package ` +
    `mate-backgrounds (${REAL_PHOTO_DIR}), each ${copies}x with a distinct JPEG comment ` +
    `segment so that all ${count} files have different sha256 and are decoded`;
  const done = await isComplete(dir);
  if (done && done.length === count) return finish('photos-real', dir, done, description);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  log(`writing ${count} real-photo copies to ${dir}...`);
  const rel: string[] = [];
  for (const source of sources) {
    const bytes = await readFile(source);
    const stem = basename(source).replace(/\.jpe?g$/i, '');
    for (let k = 0; k < copies; k++) {
      const name = `${stem}-${String(k).padStart(3, '0')}.jpg`;
      await writeFile(join(dir, name), withJpegComment(bytes, `latent-explorer bench copy ${k}`));
      rel.push(name);
    }
  }
  await markComplete(dir, rel);
  return finish('photos-real', dir, rel, description);
}

// ------------------------------------------------------------------------- Fashion-MNIST
async function fashionPool(count: number): Promise<string[]> {
  const poolDir = join(dataRoot(), 'fashion-mnist', 'pool');
  const labels = join(poolDir, 'labels.csv');
  const read = async () => {
    try {
      return (await readFile(labels, 'utf8'))
        .split('\n')
        .slice(1)
        .filter(Boolean)
        .map((line) => line.split(',')[0] as string);
    } catch {
      return [];
    }
  };
  let rel = await read();
  if (rel.length < count) {
    log(`converting ${count} Fashion-MNIST images...`);
    // Throws with the package to install when dataset-fashion-mnist is missing.
    await writeFashionMnistPngs({ out: poolDir, count });
    rel = await read();
  }
  return rel.slice(0, count);
}

export async function fashionMnist(count: number): Promise<Dataset> {
  const dir = join(dataRoot(), 'fashion-mnist', `n${count}`);
  const description =
    `the first ${count} Fashion-MNIST training images as 28x28 greyscale PNGs in 10 class ` +
    'folders (Debian package dataset-fashion-mnist, converted by app/library/fashion-mnist.ts)';
  const done = await isComplete(dir);
  if (done && done.length === count) return finish('fashion-mnist', dir, done, description);
  const rel = await fashionPool(count);
  if (rel.length < count) throw new Error(`only ${rel.length} Fashion-MNIST images available`);
  await linkSubset(join(dataRoot(), 'fashion-mnist', 'pool'), dir, rel);
  return finish('fashion-mnist', dir, rel, description);
}

export async function dataset(kind: DatasetKind, count: number) {
  if (kind === 'photos-synthetic') return syntheticPhotos(count);
  if (kind === 'fashion-mnist') return fashionMnist(count);
  return realPhotos(count);
}
