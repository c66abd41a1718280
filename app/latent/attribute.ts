/**
 * Attribute vectors (the "smile vector" of White 2016): the difference of the μ centroids of two
 * groups of images, applied to any code with a strength, and a consistency score telling whether
 * the direction generalises beyond the images it was built from.
 */
import { LatentError, checkFiniteNumber } from './errors';
import { shuffled, seededUniform } from './random';
import { checkRow, checkTableShape, checkVector, type LatentTable, type Vector } from './table';

function checkGroup(table: LatentTable, rows: readonly number[], name: string, min: number): void {
  if (!Array.isArray(rows) || rows.length < min) {
    throw new LatentError(
      'not-enough-rows',
      `Group ${name} needs at least ${min} image${min === 1 ? '' : 's'}, got ${Array.isArray(rows) ? rows.length : 0}.`,
    );
  }
  rows.forEach((r) => checkRow(table, r, `Group ${name} row`));
}

function checkDisjoint(a: readonly number[], b: readonly number[]): void {
  const inA = new Set(a);
  const shared = b.filter((r) => inA.has(r));
  if (shared.length > 0) {
    throw new LatentError(
      'bad-option',
      `The two groups share ${shared.length} image${shared.length === 1 ? '' : 's'} (rows ${shared.slice(0, 5).join(', ')}${shared.length > 5 ? ', …' : ''}).`,
    );
  }
}

/** Mean of the μ of `rows`, [d], in float64. */
export function centroid(table: LatentTable, rows: readonly number[]): Float64Array {
  const d = table.d;
  const c = new Float64Array(d);
  for (const r of rows)
    for (let j = 0; j < d; j++) c[j] = (c[j] as number) + (table.mu[r * d + j] as number);
  for (let j = 0; j < d; j++) c[j] = (c[j] as number) / rows.length;
  return c;
}

/** v = centroid(μ of group A) − centroid(μ of group B): pointing from B towards A. */
export function attributeVector(
  table: LatentTable,
  groupA: readonly number[],
  groupB: readonly number[],
): Float32Array {
  checkTableShape(table);
  checkGroup(table, groupA, 'A', 1);
  checkGroup(table, groupB, 'B', 1);
  checkDisjoint(groupA, groupB);
  const a = centroid(table, groupA);
  const b = centroid(table, groupB);
  return Float32Array.from(a, (x, j) => x - (b[j] as number));
}

/** z' = μ + strength·v. */
export function applyAttribute(mu: Vector, vector: Vector, strength = 1): Float32Array {
  const m = checkVector(mu, mu.length, 'The code');
  const v = checkVector(vector, m.length, 'The attribute vector');
  checkFiniteNumber(strength, 'The strength');
  return Float32Array.from(m, (x, j) => x + strength * (v[j] as number));
}

/**
 * Area under the ROC curve of scores for positives vs negatives = P(score⁺ > score⁻) + ½ P(tie)
 * (the Mann–Whitney U statistic / (n⁺ n⁻)), by one sort with tied ranks averaged.
 */
export function auc(positives: readonly number[], negatives: readonly number[]): number {
  if (positives.length === 0 || negatives.length === 0) {
    throw new LatentError('not-enough-rows', 'AUC needs at least one score on each side.');
  }
  const all = [
    ...positives.map((s) => ({ s, pos: true })),
    ...negatives.map((s) => ({ s, pos: false })),
  ].sort((x, y) => x.s - y.s);
  let rankSum = 0;
  for (let i = 0; i < all.length;) {
    let j = i;
    while (j + 1 < all.length && (all[j + 1] as { s: number }).s === (all[i] as { s: number }).s)
      j++;
    const rank = (i + j) / 2 + 1;
    for (let t = i; t <= j; t++) if ((all[t] as { pos: boolean }).pos) rankSum += rank;
    i = j + 1;
  }
  const np = positives.length;
  return (rankSum - (np * (np + 1)) / 2) / (np * negatives.length);
}

export interface ConsistencyOptions {
  /** Default 1. */
  seed?: number;
}

export interface AttributeConsistency {
  /**
   * AUC of the held-out projection scores (A positive): 1 = the train-half vector separates the
   * held-out members perfectly, 0.5 = chance, below 0.5 = reversed.
   */
  auc: number;
  trainA: number;
  trainB: number;
  heldOutA: number;
  heldOutB: number;
}

/**
 * Consistency of an attribute: each group is shuffled (seeded) and split in halves; the vector is
 * built from the train halves, and each held-out member scored by its projection
 * s = (μ − m)·v with m the midpoint of the train centroids; returns the AUC of those scores.
 * Needs at least 2 images per group.
 */
export function attributeConsistency(
  table: LatentTable,
  groupA: readonly number[],
  groupB: readonly number[],
  options: ConsistencyOptions = {},
): AttributeConsistency {
  checkTableShape(table);
  checkGroup(table, groupA, 'A', 2);
  checkGroup(table, groupB, 'B', 2);
  checkDisjoint(groupA, groupB);
  const uniform = seededUniform(options.seed ?? 1);
  const split = (rows: readonly number[]): [number[], number[]] => {
    const s = shuffled(rows, uniform);
    const half = Math.floor(s.length / 2);
    return [s.slice(0, half), s.slice(half)];
  };
  const [trainA, testA] = split(groupA);
  const [trainB, testB] = split(groupB);
  const ca = centroid(table, trainA);
  const cb = centroid(table, trainB);
  const d = table.d;
  const score = (r: number): number => {
    let s = 0;
    for (let j = 0; j < d; j++) {
      const mid = 0.5 * ((ca[j] as number) + (cb[j] as number));
      s += ((table.mu[r * d + j] as number) - mid) * ((ca[j] as number) - (cb[j] as number));
    }
    return s;
  };
  return {
    auc: auc(testA.map(score), testB.map(score)),
    trainA: trainA.length,
    trainB: trainB.length,
    heldOutA: testA.length,
    heldOutB: testB.length,
  };
}
