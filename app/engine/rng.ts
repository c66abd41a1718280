/**
 * A tiny, serialisable source of seeds for the tfjs random ops (ε of the reparameterisation).
 * State is two integers, so it goes into `config.json` with a checkpoint and a resumed run draws
 * exactly the noise the uninterrupted run would have drawn.
 */

export interface RngState {
  /** Base seed chosen when the run started. */
  seed: number;
  /** Number of seeds drawn so far. */
  counter: number;
}

/** Murmur3's 32-bit finaliser: a cheap bijective mix with good avalanche. */
function fmix32(h: number): number {
  let x = h >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

export class SeedSequence {
  private state: RngState;

  constructor(state: RngState | number = 0) {
    this.state = typeof state === 'number' ? { seed: state >>> 0, counter: 0 } : { ...state };
    if (
      !Number.isInteger(this.state.seed) ||
      !Number.isInteger(this.state.counter) ||
      this.state.counter < 0
    ) {
      throw new Error(`Invalid RNG state ${JSON.stringify(state)}.`);
    }
  }

  /** The seed for draw number `counter` of this sequence (does not advance). */
  peek(offset = 0): number {
    return fmix32(fmix32(this.state.seed ^ 0x9e3779b9) + this.state.counter + offset);
  }

  /** A fresh 32-bit seed; advances the sequence. */
  next(): number {
    const s = this.peek();
    this.state.counter++;
    return s;
  }

  getState(): RngState {
    return { ...this.state };
  }
}
