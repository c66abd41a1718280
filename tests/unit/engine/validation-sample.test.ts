/**
 * The per-epoch validation −ELBO is measured on a seeded random sample of the held-out split, not
 * on its first images in path order (which, with class sub-folders, are two or three classes).
 */
import { describe, expect, it } from 'vitest';
import { MAX_VALIDATION_IMAGES, validationSample } from '../../../app/engine/worker/dataset';
import type { Split } from '../../../app/engine/worker/dataset';
import { evaluationSet } from '../../../app/engine/worker/training-loop';

const CLASSES = 10;
const PER_CLASS = 600;

/** A held-out split of 6,000 images in path order: class 0's folder first, then class 1's, ... */
function splitSortedByClass(): { split: Split; classOf: Map<number, number> } {
  const classOf = new Map<number, number>();
  const validation = { imageIds: [] as number[], slots: [] as number[] };
  for (let c = 0; c < CLASSES; c++) {
    for (let i = 0; i < PER_CLASS; i++) {
      const id = 1 + c * PER_CLASS + i;
      classOf.set(id, c);
      validation.imageIds.push(id);
      validation.slots.push(10_000 + id);
    }
  }
  const train = { imageIds: [100_000], slots: [0] };
  return { split: { train, validation }, classOf };
}

describe('the validation images an epoch is evaluated on', () => {
  it('are a random sample covering every class, not the first N in path order', () => {
    const { split, classOf } = splitSortedByClass();
    const set = evaluationSet(split, 1234);
    expect(set.validation).toEqual({ images: MAX_VALIDATION_IMAGES, of: 6000, sampling: 'random' });
    expect(set.heldOut).toBe(true);
    expect(set.slots).toHaveLength(MAX_VALIDATION_IMAGES);
    expect(new Set(set.imageIds).size).toBe(MAX_VALIDATION_IMAGES); // without replacement
    // Slots and ids stay paired.
    set.imageIds.forEach((id, i) => expect(set.slots[i]).toBe(10_000 + id));

    const counts = Array.from({ length: CLASSES }, () => 0);
    for (const id of set.imageIds) counts[classOf.get(id)!]! += 1;
    // The first 2,000 in path order would be classes 0-3 only (600, 600, 600, 200, 0, ...).
    // A uniform sample has 200 per class, ± about 13 (binomial sd): far inside 150..250.
    for (const n of counts) {
      expect(n).toBeGreaterThan(150);
      expect(n).toBeLessThan(250);
    }
    expect([...set.imageIds].sort((a, b) => a - b)).not.toEqual(
      split.validation.imageIds.slice(0, MAX_VALIDATION_IMAGES),
    );
  });

  it('are the same for the same seed (every epoch and every resume) and differ by seed', () => {
    const { split } = splitSortedByClass();
    expect(evaluationSet(split, 7).imageIds).toEqual(evaluationSet(split, 7).imageIds);
    expect(evaluationSet(split, 7).imageIds).not.toEqual(evaluationSet(split, 8).imageIds);
  });

  it('are all the held-out images when there are at most the cap', () => {
    const small = validationSample(500, MAX_VALIDATION_IMAGES, 3);
    expect(small.sampling).toBe('all');
    expect([...small.indices].sort((a, b) => a - b)).toEqual(
      Array.from({ length: 500 }, (_, i) => i),
    );
    const exact = validationSample(MAX_VALIDATION_IMAGES, MAX_VALIDATION_IMAGES, 3);
    expect(exact.sampling).toBe('all');
    expect(exact.indices).toHaveLength(MAX_VALIDATION_IMAGES);
  });

  it('fall back to (a sample of) the training images when nothing is held out', () => {
    const set = evaluationSet(
      {
        train: { imageIds: [5, 6, 7], slots: [50, 60, 70] },
        validation: { imageIds: [], slots: [] },
      },
      1,
    );
    expect(set.heldOut).toBe(false);
    expect(set.validation).toEqual({ images: 0, of: 0, sampling: 'all' });
    expect([...set.slots].sort()).toEqual([50, 60, 70]);
  });
});
