import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  HEADER_BYTES,
  PixelCacheError,
  PixelCacheFile,
  specKey,
  validateSpec,
} from '../../../app/library/pixel-cache';
import type { PreprocessSpec } from '../../../app/library/types';
import { makeTempDir } from './helpers';

const SPEC: PreprocessSpec = {
  size: 4,
  channels: 3,
  fit: 'cover',
  background: { r: 255, g: 128, b: 0 },
};
const RECORD = 4 * 4 * 3;
let dir: string;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  ({ dir, cleanup } = await makeTempDir('pixels'));
});
afterEach(() => cleanup());

const record = (value: number) => new Uint8Array(RECORD).fill(value);

describe('PixelCacheFile', () => {
  it('names specs stably', () => {
    expect(specKey(SPEC)).toBe('s4-c3-cover-ff8000');
    expect(specKey({ ...SPEC, channels: 1, fit: 'contain', size: 64 })).toBe(
      's64-c1-contain-ff8000',
    );
  });

  it('writes records into slots and reads them back in any order, coalescing runs', async () => {
    const file = path.join(dir, 'a.bin');
    const cache = await PixelCacheFile.open(file, SPEC);
    expect(cache.created).toBe(true);
    await cache.writeSlots(0, [record(1), record(2), record(3)]);
    await cache.writeSlots(3, [record(4)]);
    expect(await cache.slotCapacity()).toBe(4);
    const out = await cache.read([2, 3, 0]);
    expect(out.length).toBe(3 * RECORD);
    expect([out[0], out[RECORD], out[2 * RECORD]]).toEqual([3, 4, 1]);
    expect((await readFile(file)).length).toBe(HEADER_BYTES + 4 * RECORD);
    await cache.close();

    const reopened = await PixelCacheFile.open(file, SPEC);
    expect(reopened.created).toBe(false);
    expect((await reopened.read([1]))[5]).toBe(2);
    await expect(reopened.read([7])).rejects.toBeInstanceOf(PixelCacheError);
    await reopened.close();
  });

  it('refuses records of the wrong size and files of another spec', async () => {
    const file = path.join(dir, 'b.bin');
    const cache = await PixelCacheFile.open(file, SPEC);
    await expect(cache.writeSlots(0, [new Uint8Array(5)])).rejects.toThrow(/expected 48/);
    await cache.close();
    await expect(PixelCacheFile.open(file, { ...SPEC, size: 8 })).rejects.toBeInstanceOf(
      PixelCacheError,
    );
    await writeFile(file, 'garbage');
    await expect(PixelCacheFile.open(file, SPEC)).rejects.toThrow(/header/);
  });

  it('does not create files in read-only mode', async () => {
    await expect(
      PixelCacheFile.open(path.join(dir, 'none.bin'), SPEC, { readOnly: true }),
    ).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('validates specs', () => {
    expect(() => validateSpec({ ...SPEC, size: 3 })).toThrow(RangeError);
    expect(() => validateSpec({ ...SPEC, size: 10.5 })).toThrow(RangeError);
    expect(() => validateSpec({ ...SPEC, channels: 2 as 1 })).toThrow(/channels/);
    expect(() => validateSpec({ ...SPEC, fit: 'fill' as 'cover' })).toThrow(/fit/);
    expect(() => validateSpec({ ...SPEC, background: { r: 300, g: 0, b: 0 } })).toThrow(
      /background/,
    );
  });
});
