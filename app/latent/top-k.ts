/**
 * The one bounded heap of the latent core: keeps the k entries with the smallest keys seen so far
 * in O(log k) per push (a max-heap on the key, so the current worst is at the root), instead of
 * sorting all N. Ties are broken by the smaller index, so results are deterministic.
 */

export interface Ranked {
  index: number;
  key: number;
}

/** Whether entry a = (ka, ia) ranks after entry b = (kb, ib). */
function after(ka: number, ia: number, kb: number, ib: number): boolean {
  return ka > kb || (ka === kb && ia > ib);
}

export class TopK {
  private readonly keys: Float64Array;
  private readonly indices: Int32Array;
  private count = 0;

  constructor(readonly k: number) {
    if (!Number.isInteger(k) || k < 1) throw new RangeError(`TopK needs k ≥ 1, got ${k}.`);
    this.keys = new Float64Array(k);
    this.indices = new Int32Array(k);
  }

  get size(): number {
    return this.count;
  }

  /** The largest key kept once the heap is full (anything larger cannot enter), else Infinity. */
  get worst(): number {
    return this.count < this.k ? Infinity : (this.keys[0] as number);
  }

  /** Offers an entry; kept if it is among the k smallest so far. */
  push(index: number, key: number): void {
    const keys = this.keys;
    const idx = this.indices;
    if (this.count < this.k) {
      let i = this.count++;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (!after(key, index, keys[p] as number, idx[p] as number)) break;
        keys[i] = keys[p] as number;
        idx[i] = idx[p] as number;
        i = p;
      }
      keys[i] = key;
      idx[i] = index;
      return;
    }
    if (!after(keys[0] as number, idx[0] as number, key, index)) return;
    const n = this.count;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c =
        r < n && after(keys[r] as number, idx[r] as number, keys[l] as number, idx[l] as number)
          ? r
          : l;
      if (!after(keys[c] as number, idx[c] as number, key, index)) break;
      keys[i] = keys[c] as number;
      idx[i] = idx[c] as number;
      i = c;
    }
    keys[i] = key;
    idx[i] = index;
  }

  /** The kept entries, smallest key first (ties: smaller index first). */
  sorted(): Ranked[] {
    const out: Ranked[] = [];
    for (let i = 0; i < this.count; i++) {
      out.push({ index: this.indices[i] as number, key: this.keys[i] as number });
    }
    return out.sort((a, b) => a.key - b.key || a.index - b.index);
  }
}
