/**
 * The seeded uniform generator of the core (shuffling, validation samples, demo shapes, test
 * fixtures): pure, so every layer may import it. Not for the model's noise (see
 * app/engine/rng.ts, which seeds tfjs's own random ops).
 */

/** Mulberry32: a tiny, fast, seedable generator in [0, 1) with 32 bits of state. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
