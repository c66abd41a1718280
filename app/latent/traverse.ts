/**
 * Traversals: points along one latent dimension, or along a direction, around a base code. The
 * prior is N(0, I), so one unit along a unit vector is one prior standard deviation: a range of
 * −3..3 spans ±3 prior σ whatever the direction.
 */
import { LatentError, checkFiniteNumber, checkInteger } from './errors';
import { checkVector, type Vector } from './table';

export interface TraverseOptions {
  /** [from, to] in prior σ units (default [−3, 3]). */
  range?: readonly [number, number];
  /** Points, both ends included (≥ 2; default 9). */
  steps?: number;
  /**
   * 'offset' (default): z = base + v·u, around the base code. 'absolute' (dimensions only):
   * z = base with z[dim] = v, the classic "set one unit to −3..3" strip.
   */
  mode?: 'offset' | 'absolute';
}

export interface Traversal {
  /** The value of each point along the traversal, in prior σ units. */
  values: number[];
  /** Points, row-major [steps, d]. */
  points: Float32Array;
  d: number;
}

/** `steps` evenly spaced values from `from` to `to`, both included. */
export function linspace(from: number, to: number, steps: number): number[] {
  checkFiniteNumber(from, 'The range start');
  checkFiniteNumber(to, 'The range end');
  checkInteger(steps, 'steps', 2, 10_000);
  return Array.from({ length: steps }, (_, i) =>
    i === steps - 1 ? to : from + ((to - from) * i) / (steps - 1),
  );
}

function rangeValues(options: TraverseOptions): number[] {
  const range = options.range ?? [-3, 3];
  if (!Array.isArray(range) || range.length !== 2) {
    throw new LatentError('bad-option', 'The range is a pair [from, to] in prior σ units.');
  }
  return linspace(range[0] as number, range[1] as number, options.steps ?? 9);
}

/** z_i = base + v_i·e_dim (offset mode) or base with z[dim] = v_i (absolute mode). */
export function traverseDimension(
  base: Vector,
  dim: number,
  options: TraverseOptions = {},
): Traversal {
  const b = checkVector(base, base.length, 'The base code');
  const d = b.length;
  if (!Number.isInteger(dim) || dim < 0 || dim >= d) {
    throw new LatentError('bad-index', `Dimension ${String(dim)} is not in 0..${d - 1}.`, { dim });
  }
  const values = rangeValues(options);
  const points = new Float32Array(values.length * d);
  values.forEach((v, i) => {
    points.set(b, i * d);
    points[i * d + dim] = options.mode === 'absolute' ? v : (b[dim] as number) + v;
  });
  return { values, points, d };
}

/**
 * z_i = base + v_i·u/‖u‖ along a direction u (e.g. an attribute vector); only offset mode makes
 * sense for a direction. A zero direction is refused.
 */
export function traverseDirection(
  base: Vector,
  direction: Vector,
  options: TraverseOptions = {},
): Traversal {
  const b = checkVector(base, base.length, 'The base code');
  const d = b.length;
  const u = checkVector(direction, d, 'The direction');
  const norm = Math.hypot(...u);
  if (norm === 0) throw new LatentError('bad-option', 'The direction is the zero vector.');
  if (options.mode === 'absolute') {
    throw new LatentError(
      'bad-option',
      'A direction traversal is always an offset around the base.',
    );
  }
  const values = rangeValues(options);
  const points = new Float32Array(values.length * d);
  values.forEach((v, i) => {
    for (let j = 0; j < d; j++)
      points[i * d + j] = (b[j] as number) + (v * (u[j] as number)) / norm;
  });
  return { values, points, d };
}
