import { describe, expect, it } from 'vitest';
import {
  LatentError,
  interpolate,
  inverseNormalCdf,
  latentGrid,
  linspace,
  onManifoldDistances,
  priorPercentiles,
  samplePrior,
  slerp,
  traverseDimension,
  traverseDirection,
} from '../../../app/latent';
import { tableFrom } from './fixtures';

const norm = (v: ArrayLike<number>) => Math.hypot(...Array.from(v));

describe('interpolate', () => {
  it('linear: frame count, exact end points, evenly spaced', () => {
    const path = interpolate(
      [
        [0, 0],
        [2, 4],
        [2, 0],
      ],
      { steps: 5 },
    );
    expect(path.count).toBe(2 * 4 + 1);
    expect(Array.from(path.frames.subarray(0, 2))).toEqual([0, 0]);
    expect(Array.from(path.frames.subarray(8, 10))).toEqual([2, 4]);
    expect(Array.from(path.frames.subarray(16, 18))).toEqual([2, 0]);
    expect(Array.from(path.frames.subarray(2, 4))).toEqual([0.5, 1]);
    expect(path.segment).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 1]);
    expect(path.t.slice(0, 5)).toEqual([0, 0.25, 0.5, 0.75, 1]);
  });

  it('slerp: end points, norms and angles on the great circle', () => {
    const a = [3, 0];
    const b = [0, 3];
    const path = interpolate([a, b], { steps: 5, method: 'slerp' });
    for (let f = 0; f < path.count; f++) {
      const v = path.frames.subarray(f * 2, f * 2 + 2);
      expect(norm(v)).toBeCloseTo(3, 5);
      expect(Math.atan2(v[1] as number, v[0] as number)).toBeCloseTo(((Math.PI / 2) * f) / 4, 5);
    }
    // Unequal norms: the norm at t follows the closed form sin((1−t)ω)/sin ω·a + sin(tω)/sin ω·b.
    const s = slerp(Float64Array.from([1, 0, 0]), Float64Array.from([0, 2, 0]), 0.5);
    const w = Math.sin(Math.PI / 4) / Math.sin(Math.PI / 2);
    expect(Array.from(s)).toEqual([w, 2 * w, 0].map((x) => expect.closeTo(x, 12)));
  });

  it('slerp falls back to lerp for parallel, anti-parallel and zero vectors', () => {
    const lerpMid = (a: number[], b: number[]) => a.map((x, i) => (x + (b[i] as number)) / 2);
    for (const [a, b] of [
      [
        [1, 2],
        [2, 4],
      ],
      [
        [1, 2],
        [-1, -2],
      ],
      [
        [0, 0],
        [1, 1],
      ],
      [
        [1, 1],
        [1, 1 + 1e-13],
      ],
    ] as [number[], number[]][]) {
      const mid = slerp(Float64Array.from(a), Float64Array.from(b), 0.5);
      expect(Array.from(mid)).toEqual(lerpMid(a, b).map((x) => expect.closeTo(x, 9)));
    }
  });

  it('on-manifold distance is the distance to the nearest row μ', () => {
    const t = tableFrom([
      [0, 0],
      [10, 0],
    ]);
    const path = interpolate(
      [
        [0, 0],
        [10, 0],
      ],
      { steps: 5 },
    );
    const near = onManifoldDistances(path.frames, t);
    expect(near.map((n) => n.distance)).toEqual([0, 2.5, 5, 2.5, 0]);
    expect(near.map((n) => n.index)).toEqual([0, 0, 0, 1, 1]);
  });

  it('refuses bad input', () => {
    expect(() => interpolate([[0, 0]])).toThrow(/at least two/);
    expect(() => interpolate([[0, 0], [1]])).toThrow(/Latent vector 2 has 1 values/);
    expect(() =>
      interpolate(
        [
          [0, 0],
          [1, 1],
        ],
        { steps: 1 },
      ),
    ).toThrow(/steps must be an integer in 2/);
    expect(() =>
      interpolate([
        [0, NaN],
        [1, 1],
      ]),
    ).toThrow(LatentError);
  });
});

describe('traverse', () => {
  it('one dimension around the base, offset and absolute', () => {
    const tr = traverseDimension([1, 2, 3], 1, { range: [-2, 2], steps: 5 });
    expect(tr.values).toEqual([-2, -1, 0, 1, 2]);
    expect(Array.from(tr.points)).toEqual([1, 0, 3, 1, 1, 3, 1, 2, 3, 1, 3, 3, 1, 4, 3]);
    const abs = traverseDimension([1, 2, 3], 2, { steps: 3, mode: 'absolute' });
    expect(Array.from(abs.points)).toEqual([1, 2, -3, 1, 2, 0, 1, 2, 3]);
  });

  it('a direction in prior σ units (unit-normalised)', () => {
    const tr = traverseDirection([0, 0], [3, 4], { range: [0, 5], steps: 2 });
    expect(Array.from(tr.points)).toEqual([0, 0, 3, 4]);
    expect(() => traverseDirection([0, 0], [0, 0])).toThrow(/zero vector/);
    expect(() => traverseDimension([0, 0], 2)).toThrow(/Dimension 2 is not in 0..1/);
    expect(linspace(-3, 3, 9)).toHaveLength(9);
  });
});

// Φ by a high-precision erfc continued fraction / series, independent of AS 241.
function normalCdf(x: number): number {
  // Abramowitz–Stegun 7.1.26 is too coarse; use the series for erf with many terms.
  const z = x / Math.SQRT2;
  if (Math.abs(z) < 3) {
    let term = z;
    let sum = z;
    for (let n = 1; n < 200; n++) {
      term *= (-z * z) / n;
      sum += term / (2 * n + 1);
    }
    return 0.5 * (1 + (2 / Math.sqrt(Math.PI)) * sum);
  }
  // Lentz continued fraction for erfc, |z| ≥ 3.
  const a = Math.abs(z);
  let f = a;
  for (let k = 60; k >= 1; k--) f = a + k / 2 / f;
  const erfc = Math.exp(-a * a) / Math.sqrt(Math.PI) / f;
  return z > 0 ? 1 - erfc / 2 : erfc / 2;
}

describe('latent grid and prior samples', () => {
  it('Φ⁻¹ inverts Φ and hits known quantiles', () => {
    expect(inverseNormalCdf(0.5)).toBe(0);
    expect(inverseNormalCdf(0.975)).toBeCloseTo(1.959963984540054, 13);
    expect(inverseNormalCdf(0.8413447460685429)).toBeCloseTo(1, 12);
    expect(inverseNormalCdf(1e-10)).toBeCloseTo(-6.361340902404056, 10);
    for (const p of [1e-6, 0.01, 0.1, 0.3, 0.7, 0.9, 0.999]) {
      expect(normalCdf(inverseNormalCdf(p)) / p).toBeCloseTo(1, 9);
    }
    expect(() => inverseNormalCdf(1)).toThrow(/0 < p < 1/);
    expect(priorPercentiles(2)).toEqual([inverseNormalCdf(0.25), inverseNormalCdf(0.75)]);
  });

  it('grid shape, percentiles and base', () => {
    const g = latentGrid(4, { dims: [2, 0], size: [3, 2], base: [9, 9, 9, 9] });
    expect([g.columns, g.rows, g.points.length]).toEqual([3, 2, 3 * 2 * 4]);
    expect(g.xValues.map((x) => x)).toEqual([1 / 6, 3 / 6, 5 / 6].map((p) => inverseNormalCdf(p)));
    expect(g.yValues).toEqual([inverseNormalCdf(0.75), inverseNormalCdf(0.25)]);
    // Cell (row 1, column 2): x on dim 2, y on dim 0, the rest from the base.
    expect(Array.from(g.points.subarray((1 * 3 + 2) * 4, (1 * 3 + 2) * 4 + 4))).toEqual(
      [inverseNormalCdf(0.25), 9, inverseNormalCdf(5 / 6), 9].map((v) => Math.fround(v)),
    );
    const two = latentGrid(2, { size: 8 });
    expect(two.points.length).toBe(8 * 8 * 2);
    expect(() => latentGrid(2, { dims: [1, 1] })).toThrow(/two different dimensions/);
    expect(() => latentGrid(2, { dims: [0, 2] })).toThrow(/Grid dimension 2/);
  });

  it('prior samples are seeded and standard normal', () => {
    const a = samplePrior(2000, 8, 42);
    expect(samplePrior(2000, 8, 42)).toEqual(a);
    expect(samplePrior(2000, 8, 43)).not.toEqual(a);
    const mean = a.reduce((s, x) => s + x, 0) / a.length;
    const variance = a.reduce((s, x) => s + (x - mean) ** 2, 0) / a.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(variance).toBeGreaterThan(0.95);
    expect(variance).toBeLessThan(1.05);
    expect(() => samplePrior(0, 8, 1)).toThrow(/sample count/);
  });
});
