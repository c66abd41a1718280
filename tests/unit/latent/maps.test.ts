import { describe, expect, it } from 'vitest';
import { latentAtMapPoint, tsneMap, umapMap, type MapResult } from '../../../app/latent';
import { clustered, tableFrom } from './fixtures';

/** Fraction of each point's 5 nearest map neighbours in its own folder. */
function mapAgreement(map: MapResult, folders: ArrayLike<number>): number {
  const n = map.rows.length;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const d = [];
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      const dx = (map.coords[2 * i] as number) - (map.coords[2 * j] as number);
      const dy = (map.coords[2 * i + 1] as number) - (map.coords[2 * j + 1] as number);
      d.push({ j, dist: dx * dx + dy * dy });
    }
    d.sort((a, b) => a.dist - b.dist);
    sum +=
      d
        .slice(0, 5)
        .filter((x) => folders[map.rows[x.j] as number] === folders[map.rows[i] as number]).length /
      5;
  }
  return sum / n;
}

describe('maps', () => {
  const t = clustered(150, 8, 3, 3, 6);

  it('UMAP: seeded, separates clusters, reports progress', async () => {
    const progress: number[] = [];
    const a = await umapMap(t, {
      seed: 4,
      nEpochs: 100,
      onProgress: (done) => progress.push(done),
    });
    const b = await umapMap(t, { seed: 4, nEpochs: 100 });
    expect(a.coords).toEqual(b.coords);
    expect(a.coords.length).toBe(150 * 2);
    expect(progress.at(-1)).toBe(100);
    expect(mapAgreement(a, t.folders as number[])).toBeGreaterThan(0.9);
    const c = await umapMap(t, { seed: 5, nEpochs: 100 });
    expect(c.coords).not.toEqual(a.coords);
  });

  it('t-SNE: seeded, separates clusters, refuses too many rows', async () => {
    const a = await tsneMap(t, { seed: 1, iterations: 150 });
    const b = await tsneMap(t, { seed: 1, iterations: 150 });
    expect(a.coords).toEqual(b.coords);
    expect(mapAgreement(a, t.folders as number[])).toBeGreaterThan(0.9);
    await expect(tsneMap(t, { maxPoints: 100 })).rejects.toMatchObject({ reason: 'too-large' });
    const sub = await tsneMap(t, { rows: [0, 1, 2, 3, 4, 5, 6, 7], iterations: 20 });
    expect(sub.rows).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('cancellation', async () => {
    const ac = new AbortController();
    const p = umapMap(t, {
      seed: 1,
      nEpochs: 400,
      signal: ac.signal,
      onProgress: (d) => d >= 20 && ac.abort(),
    });
    await expect(p).rejects.toMatchObject({ code: 'CANCELLED' });
    const ac2 = new AbortController();
    const q = tsneMap(t, {
      iterations: 400,
      signal: ac2.signal,
      onProgress: (d) => d >= 20 && ac2.abort(),
    });
    await expect(q).rejects.toMatchObject({ code: 'CANCELLED' });
    await expect(umapMap(tableFrom([[0], [1]]))).rejects.toThrow(/at least 3 images/);
  });

  it('decode at a map point: inverse-distance weighting of the nearest μ', () => {
    const table = tableFrom([
      [0, 0, 0],
      [10, 0, 0],
      [0, 20, 0],
      [5, 5, 5],
    ]);
    const map: MapResult = {
      method: 'umap',
      rows: [0, 1, 2, 3],
      dims: 2,
      coords: Float32Array.from([0, 0, 1, 0, 0, 1, 9, 9]),
    };
    // On a map point: exactly that μ.
    expect(Array.from(latentAtMapPoint(table, map, [1, 0]).mu)).toEqual([10, 0, 0]);
    // Between points 0 (distance 0.25) and 1 (distance 0.75), k = 2: weights 3/4 and 1/4.
    const r = latentAtMapPoint(table, map, [0.25, 0], { k: 2 });
    expect(r.neighbours.map((n) => n.row)).toEqual([0, 1]);
    expect(r.neighbours.map((n) => n.weight)).toEqual(
      [0.75, 0.25].map((w) => expect.closeTo(w, 6)),
    );
    expect(Array.from(r.mu)).toEqual([2.5, 0, 0].map((x) => expect.closeTo(x, 5)));
    expect(() => latentAtMapPoint(table, map, [0, NaN])).toThrow(/NaN at dim 1/);
  });
});
