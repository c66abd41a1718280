import { describe, expect, it } from 'vitest';
import { epochOrder, splitByHash } from '../../../app/engine/worker/dataset';
import { batchBounds } from '../../../app/engine/worker/training-loop';
import { toDecodedImages } from '../../../app/engine/worker/images';

describe('training data plumbing', () => {
  it('merges a remainder smaller than half a batch into the last batch', () => {
    expect(batchBounds(177, 16).at(-1)).toEqual([160, 177]);
    expect(batchBounds(177, 16)).toHaveLength(11);
    expect(batchBounds(60_000, 128).at(-1)).toEqual([59_904, 60_000]); // 96 >= 64: its own batch
    expect(batchBounds(32, 16)).toEqual([
      [0, 16],
      [16, 32],
    ]);
    expect(batchBounds(5, 16)).toEqual([[0, 5]]);
    expect(batchBounds(0, 16)).toEqual([]);
    const covered = batchBounds(1001, 64).reduce((n, [a, b]) => n + (b - a), 0);
    expect(covered).toBe(1001);
  });

  it('splits by content hash, stably and independently of order', () => {
    const hashes = Array.from({ length: 2000 }, (_, i) =>
      ((i * 2654435761) >>> 0).toString(16).padStart(8, '0'),
    );
    const set = { imageIds: hashes.map((_, i) => i + 1), hashes, slots: hashes.map((_, i) => i) };
    const split = splitByHash(set, 0.1);
    expect(split.train.imageIds.length + split.validation.imageIds.length).toBe(2000);
    expect(split.validation.imageIds.length).toBeGreaterThan(120);
    expect(split.validation.imageIds.length).toBeLessThan(280);
    const reversed = splitByHash(
      {
        imageIds: [...set.imageIds].reverse(),
        hashes: [...hashes].reverse(),
        slots: [...set.slots].reverse(),
      },
      0.1,
    );
    expect(new Set(reversed.validation.imageIds)).toEqual(new Set(split.validation.imageIds));
    expect(splitByHash(set, 0).validation.imageIds).toEqual([]);
  });

  it('shuffles each epoch differently but reproducibly', () => {
    const a = epochOrder(100, 7, 0);
    expect(Array.from(a).sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(epochOrder(100, 7, 0)).toEqual(a);
    expect(epochOrder(100, 7, 1)).not.toEqual(a);
    expect(epochOrder(100, 8, 0)).not.toEqual(a);
  });

  it('turns [0,1] floats into base64 bytes, clamped', () => {
    const [img] = toDecodedImages(
      Float32Array.from([0, 0.5, 1, 1.7, -0.2, 0.25, 0.75, 1, 0]),
      1,
      3,
      1,
    );
    expect(img).toMatchObject({ width: 3, height: 3, channels: 1 });
    expect(Array.from(Buffer.from(img!.data, 'base64'))).toEqual([
      0, 128, 255, 255, 0, 64, 191, 255, 0,
    ]);
  });
});
