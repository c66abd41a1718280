import { readFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openLibrary } from '../../../app/library/library';
import { mulberry32 } from '../../../app/random';
import {
  renderShape,
  sampleFactors,
  SHAPE_COLOURS,
  writeShapesDataset,
} from '../../../app/library/shapes';
import { makeTempDir } from './helpers';

let dir: string;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  ({ dir, cleanup } = await makeTempDir('shapes'));
});
afterEach(() => cleanup());

describe('shapes dataset', () => {
  it('is deterministic for a seed and different across seeds', () => {
    expect(sampleFactors(20, 7)).toEqual(sampleFactors(20, 7));
    expect(sampleFactors(20, 7)).not.toEqual(sampleFactors(20, 8));
    const random = mulberry32(1);
    const values = Array.from({ length: 1000 }, random);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    const kinds = new Set(sampleFactors(200, 3).map((f) => f.shape));
    expect(kinds).toEqual(new Set(['square', 'circle', 'triangle']));
  });

  it('renders the shape where the factors say, in its colour', () => {
    const size = 32;
    const pixels = renderShape({ shape: 'square', x: 0.5, y: 0.5, scale: 0.25, colour: 2 }, size);
    const at = (x: number, y: number) =>
      Array.from(pixels.subarray((y * size + x) * 3, (y * size + x) * 3 + 3));
    const blue = SHAPE_COLOURS[2]?.rgb;
    expect(at(16, 16)).toEqual([blue?.r, blue?.g, blue?.b]);
    expect(at(1, 1)).toEqual([0, 0, 0]);
    const circle = renderShape({ shape: 'circle', x: 0.5, y: 0.5, scale: 0.25, colour: 0 }, size);
    // The square's corner (inside the square, outside the inscribed circle) tells them apart.
    expect(Array.from(circle.subarray((9 * size + 9) * 3, (9 * size + 9) * 3 + 3))).toEqual([
      0, 0, 0,
    ]);
    expect(at(9, 9)).toEqual([blue?.r, blue?.g, blue?.b]);
  });

  it('writes PNGs with a factors table that the library can ingest', async () => {
    const entries = await writeShapesDataset({ dir, count: 12, size: 24, seed: 5 });
    expect(entries).toHaveLength(12);
    const csv = (await readFile(path.join(dir, 'factors.csv'), 'utf8')).trim().split('\n');
    expect(csv[0]).toBe('file,shape,x,y,scale,colour');
    expect(csv).toHaveLength(13);
    const meta = await sharp(path.join(dir, entries[0]?.file ?? '')).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 24, 24]);
    const again = await writeShapesDataset({
      dir: path.join(dir, 'again'),
      count: 12,
      size: 24,
      seed: 5,
    });
    expect(await readFile(path.join(dir, 'again', 'shape-11.png'))).toEqual(
      await readFile(path.join(dir, 'shape-11.png')),
    );
    expect(again.map((e) => e.factors)).toEqual(entries.map((e) => e.factors));

    const lib = await openLibrary(path.join(dir, 'data'));
    try {
      const result = await lib.ingest(path.join(dir, 'again'), {
        spec: { size: 16, channels: 3, fit: 'cover', background: { r: 0, g: 0, b: 0 } },
      });
      expect(result).toMatchObject({ seen: 12, failed: 0, otherFiles: 1 });
    } finally {
      await lib.close();
    }
  });
});
