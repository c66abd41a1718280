/**
 * Seeded randomness of the latent core: prior samples, train/held-out splits, query samples.
 *
 * `mulberry32` (app/random.ts) is a sequential generator: reaching draw i means drawing the i
 * before it. Samplers here need to resume at a draw index, so this module uses a counter-based
 * generator (draw i = a 32-bit avalanche hash of (seed, i)), whose whole state is two integers
 * like `RngState`. Every function also accepts any `() => number` in [0, 1), mulberry32 included.
 */

/** A uniform source in [0, 1). */
export type Uniform = () => number;

/** Chris Wellons' "lowbias32" integer hash (hash-prospector): bijective, strong avalanche. */
function lowbias32(h: number): number {
  let x = h >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x21f0aaad);
  x ^= x >>> 15;
  x = Math.imul(x, 0x735a2d97);
  x ^= x >>> 15;
  return x >>> 0;
}

/** A seeded uniform generator in [0, 1) with 32 bits of resolution. */
export function seededUniform(seed: number, counter = 0): Uniform {
  if (!Number.isFinite(seed)) throw new RangeError(`Seed must be a finite number, got ${seed}.`);
  const key = lowbias32((Math.trunc(seed) >>> 0) ^ 0x9e3779b9);
  let i = counter >>> 0;
  return () => lowbias32(key + lowbias32(i++)) / 4294967296;
}

/** A standard-normal source from a uniform one (Marsaglia's polar method, both values used). */
export function normalFrom(uniform: Uniform): () => number {
  let spare: number | null = null;
  return () => {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    for (;;) {
      const u = 2 * uniform() - 1;
      const v = 2 * uniform() - 1;
      const r = u * u + v * v;
      if (r > 0 && r < 1) {
        const c = Math.sqrt((-2 * Math.log(r)) / r);
        spare = v * c;
        return u * c;
      }
    }
  };
}

/** A seeded standard-normal source. */
export function seededNormal(seed: number): () => number {
  return normalFrom(seededUniform(seed));
}

/** Fisher–Yates shuffle of a copy of `items`. */
export function shuffled<T>(items: readonly T[], uniform: Uniform): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(uniform() * (i + 1));
    const t = out[i] as T;
    out[i] = out[j] as T;
    out[j] = t;
  }
  return out;
}

/** `count` distinct integers from 0..n-1 (all of them, shuffled, when count ≥ n). */
export function sampleIndices(n: number, count: number, uniform: Uniform): number[] {
  const all = Array.from({ length: n }, (_, i) => i);
  return shuffled(all, uniform).slice(0, Math.min(count, n));
}
