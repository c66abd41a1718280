/**
 * Fixture helpers for the library tests: temp folders (never the real profile), tiny images made
 * with sharp, a crafted PNG header declaring huge dimensions (no pixel data needed), and a few
 * file-system capability probes (root, non-UTF-8 names, FIFOs).
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import sharp, { type Sharp } from 'sharp';

export const IS_ROOT = process.getuid?.() === 0;

export async function makeTempDir(
  prefix: string,
): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `le-${prefix}-`));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export async function put(root: string, rel: string, data: Buffer | string): Promise<string> {
  const file = path.join(root, rel);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, data);
  return file;
}

export type Colour = { r: number; g: number; b: number; alpha?: number };

/** A solid-colour image in the given format. */
export function solid(
  format: 'png' | 'jpeg' | 'webp' | 'gif' | 'tiff' | 'avif',
  colour: Colour,
  width = 16,
  height = 16,
): Promise<Buffer> {
  const channels = colour.alpha === undefined ? 3 : 4;
  const image = sharp({ create: { width, height, channels, background: colour } });
  return image.toFormat(format).toBuffer();
}

/** A noisy image (so JPEG/PNG encodings are large enough to truncate meaningfully). */
export function noisy(format: 'png' | 'jpeg', width = 96, height = 96): Promise<Buffer> {
  return sharp({
    create: {
      width,
      height,
      channels: 3,
      background: '#808080',
      noise: { type: 'gaussian', mean: 128, sigma: 40 },
    },
  })
    .toFormat(format)
    .toBuffer();
}

/** Raw RGB pixels -> encoded image. */
export function fromRaw(
  pixels: Uint8Array,
  width: number,
  height: number,
  channels: 1 | 3 | 4,
): Sharp {
  return sharp(Buffer.from(pixels), { raw: { width, height, channels } });
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body) >>> 0);
  return Buffer.concat([length, body, crc]);
}

/**
 * A structurally valid PNG header declaring width x height RGB pixels with one tiny IDAT: enough
 * for a header read, so the size limit can be tested without allocating gigabytes.
 */
export function pngHeaderOnly(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.alloc(64))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A minimal 2x2 24-bit BMP. */
export function tinyBmp(): Buffer {
  const rowBytes = 8; // 2 px * 3 bytes, padded to 4
  const pixels = Buffer.alloc(rowBytes * 2, 0x80);
  const header = Buffer.alloc(54);
  header.write('BM', 0, 'latin1');
  header.writeUInt32LE(54 + pixels.length, 2);
  header.writeUInt32LE(54, 10);
  header.writeUInt32LE(40, 14);
  header.writeInt32LE(2, 18);
  header.writeInt32LE(2, 22);
  header.writeUInt16LE(1, 26);
  header.writeUInt16LE(24, 28);
  header.writeUInt32LE(pixels.length, 34);
  return Buffer.concat([header, pixels]);
}

/** Creates a file whose name is not valid UTF-8 (Latin-1 "é"); null if the file system refuses. */
export async function putNonUtf8(root: string, data: Buffer): Promise<Buffer | null> {
  const name = Buffer.from([0x70, 0x68, 0x6f, 0x74, 0x6f, 0x2d, 0xe9, 0x2e, 0x70, 0x6e, 0x67]); // "photo-\xe9.png"
  const full = Buffer.concat([Buffer.from(`${root}${path.sep}`), name]);
  try {
    await writeFile(full, data);
    return name;
  } catch {
    return null;
  }
}

export function makeFifo(file: string): boolean {
  if (process.platform === 'win32') return false;
  try {
    execFileSync('mkfifo', [file]);
    return true;
  } catch {
    return false;
  }
}
