/**
 * Preprocessed pixels, stored once so training never decodes an image twice.
 *
 * One append-only file per preprocessing spec (size, channels, fit, background): a 64-byte
 * header, then fixed-size records (size*size*channels uint8, HWC). Record `slot` lives at
 * `HEADER_BYTES + slot * recordBytes`. The catalogue maps content hashes to slots, so duplicate
 * files share one record.
 *
 * Crash safety: slots are reserved in the catalogue first, records are written and fsync'ed,
 * and only then does the catalogue commit the hash -> slot rows. A crash leaves at most some
 * unreferenced slots (garbage), never a row pointing at unwritten bytes.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { errnoCode } from './fsutil';
import type { PreprocessSpec } from './types';

export const HEADER_BYTES = 64;
const MAGIC = 'LEPIXEL1';
const VERSION = 1;

export function recordBytesOf(spec: PreprocessSpec): number {
  return spec.size * spec.size * spec.channels;
}

function hex2(n: number): string {
  return Math.max(0, Math.min(255, Math.round(n)))
    .toString(16)
    .padStart(2, '0');
}

/** Stable name of a spec, used as the cache key and in the file name. */
export function specKey(spec: PreprocessSpec): string {
  const { r, g, b } = spec.background;
  return `s${spec.size}-c${spec.channels}-${spec.fit}-${hex2(r)}${hex2(g)}${hex2(b)}`;
}

export function validateSpec(spec: PreprocessSpec): void {
  if (!Number.isInteger(spec.size) || spec.size < 4 || spec.size > 1024) {
    throw new RangeError(`image size must be an integer between 4 and 1024, got ${spec.size}`);
  }
  if (spec.channels !== 1 && spec.channels !== 3)
    throw new RangeError(`channels must be 1 or 3, got ${String(spec.channels)}`);
  if (spec.fit !== 'cover' && spec.fit !== 'contain')
    throw new RangeError(`fit must be cover or contain, got ${String(spec.fit)}`);
  for (const c of [spec.background.r, spec.background.g, spec.background.b]) {
    if (!(c >= 0 && c <= 255))
      throw new RangeError('background components must be between 0 and 255');
  }
}

function encodeHeader(spec: PreprocessSpec): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  header.write(MAGIC, 0, 'latin1');
  header.writeUInt32LE(VERSION, 8);
  header.writeUInt32LE(spec.size, 12);
  header.writeUInt32LE(spec.channels, 16);
  header.writeUInt32LE(recordBytesOf(spec), 20);
  header.write(specKey(spec), 24, 40, 'latin1');
  return header;
}

export class PixelCacheError extends Error {
  override name = 'PixelCacheError';
}

export class PixelCacheFile {
  private constructor(
    readonly file: string,
    readonly spec: PreprocessSpec,
    readonly recordBytes: number,
    private handle: FileHandle | null,
    /** True when this call created the file (any catalogue rows for it are stale). */
    readonly created: boolean,
  ) {}

  /**
   * Opens (or, unless read-only, creates) the cache file for `spec`. A file with a foreign or
   * damaged header is an error: the caller decides whether to discard it.
   */
  static async open(
    file: string,
    spec: PreprocessSpec,
    options: { readOnly?: boolean } = {},
  ): Promise<PixelCacheFile> {
    validateSpec(spec);
    const expected = encodeHeader(spec);
    let handle: FileHandle;
    let created = false;
    try {
      handle = await open(file, options.readOnly ? 'r' : 'r+');
    } catch (error) {
      if (errnoCode(error) !== 'ENOENT' || options.readOnly) throw error;
      handle = await open(file, 'wx+');
      await handle.write(expected, 0, expected.length, 0);
      await handle.datasync();
      created = true;
    }
    if (!created) {
      const actual = Buffer.alloc(HEADER_BYTES);
      const { bytesRead } = await handle.read(actual, 0, HEADER_BYTES, 0);
      if (bytesRead !== HEADER_BYTES || !actual.equals(expected)) {
        await handle.close();
        throw new PixelCacheError(
          `pixel cache ${file} has a missing or different header (expected ${specKey(spec)})`,
        );
      }
    }
    return new PixelCacheFile(file, spec, recordBytesOf(spec), handle, created);
  }

  private get fd(): FileHandle {
    if (!this.handle) throw new PixelCacheError(`pixel cache ${this.file} is closed`);
    return this.handle;
  }

  /** Writes records into consecutive slots starting at `firstSlot`, then flushes them to disk. */
  async writeSlots(firstSlot: number, records: readonly Uint8Array[]): Promise<void> {
    if (records.length === 0) return;
    for (const record of records) {
      if (record.length !== this.recordBytes) {
        throw new PixelCacheError(`record of ${record.length} bytes, expected ${this.recordBytes}`);
      }
    }
    const data = Buffer.concat(records);
    const position = HEADER_BYTES + firstSlot * this.recordBytes;
    let written = 0;
    while (written < data.length) {
      const { bytesWritten } = await this.fd.write(
        data,
        written,
        data.length - written,
        position + written,
      );
      written += bytesWritten;
    }
    await this.fd.datasync();
  }

  /**
   * Reads the records of `slots` in order into one buffer (`slots.length * recordBytes` bytes).
   * Runs of consecutive slots are read with one call.
   */
  async read(slots: readonly number[], into?: Uint8Array): Promise<Uint8Array> {
    const size = this.recordBytes;
    const out = into ?? new Uint8Array(slots.length * size);
    if (out.length < slots.length * size) throw new RangeError('output buffer is too small');
    let i = 0;
    while (i < slots.length) {
      const first = slots[i] as number;
      let run = 1;
      while (i + run < slots.length && slots[i + run] === first + run) run++;
      const length = run * size;
      let done = 0;
      while (done < length) {
        const { bytesRead } = await this.fd.read(
          out,
          i * size + done,
          length - done,
          HEADER_BYTES + first * size + done,
        );
        if (bytesRead === 0)
          throw new PixelCacheError(
            `pixel cache ${this.file} is shorter than slot ${first + run - 1}`,
          );
        done += bytesRead;
      }
      i += run;
    }
    return out;
  }

  /** Number of slots the file physically holds. */
  async slotCapacity(): Promise<number> {
    const { size } = await this.fd.stat();
    return Math.max(0, Math.floor((size - HEADER_BYTES) / this.recordBytes));
  }

  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = null;
    await handle?.close();
  }
}
