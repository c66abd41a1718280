import { describe, expect, it } from 'vitest';
import {
  LatentError,
  METRICS,
  TopK,
  distance,
  exactKnn,
  exactKnnAsync,
  isPosteriorMetric,
  latentTable,
  rowLogvar,
  rowMu,
  type LatentTable,
  type Metric,
} from '../../../app/latent';
import { clustered, lcg, tableFrom } from './fixtures';

/** Reference: every distance by the checked pair function, full sort. */
function bruteForce(t: LatentTable, row: number, metric: Metric, k: number, folders?: number[]) {
  const q = { mu: rowMu(t, row), logvar: rowLogvar(t, row) };
  const all: { index: number; distance: number }[] = [];
  for (let i = 0; i < t.n; i++) {
    if (i === row) continue;
    if (folders && !folders.includes(t.folders?.[i] as number)) continue;
    all.push({
      index: i,
      distance: distance(metric, q, { mu: rowMu(t, i), logvar: rowLogvar(t, i) }),
    });
  }
  return all.sort((a, b) => a.distance - b.distance || a.index - b.index).slice(0, k);
}

describe('TopK', () => {
  it('keeps the k smallest of random keys, sorted, ties by index', () => {
    const u = lcg(3);
    for (const k of [1, 2, 5, 17]) {
      const heap = new TopK(k);
      const keys = Array.from({ length: 500 }, () => Math.floor(u() * 50));
      keys.forEach((key, i) => heap.push(i, key));
      const want = keys
        .map((key, index) => ({ index, key }))
        .sort((a, b) => a.key - b.key || a.index - b.index)
        .slice(0, k);
      expect(heap.sorted()).toEqual(want);
    }
  });
});

describe('exactKnn', () => {
  const t = clustered(300, 6, 4, 11);

  it('matches a brute-force sort for every metric', () => {
    for (const metric of METRICS) {
      for (const row of [0, 17, 299]) {
        const got = exactKnn(t, { row }, { k: 7, metric });
        const want = bruteForce(t, row, metric, 7);
        expect(got.map((n) => n.index)).toEqual(want.map((n) => n.index));
        got.forEach((n, i) => expect(n.distance).toBeCloseTo(want[i]?.distance as number, 10));
        expect(got.every((n) => n.id === (t.ids[n.index] as number))).toBe(true);
        expect(got.some((n) => n.index === row)).toBe(false);
      }
    }
  });

  it('queries by posterior and by bare vector', () => {
    const q = { mu: rowMu(t, 5), logvar: rowLogvar(t, 5) };
    // An outside posterior equal to row 5 finds row 5 itself first, at distance 0.
    const byPosterior = exactKnn(t, q, { k: 3, metric: 'bhattacharyya' });
    expect(byPosterior[0]).toMatchObject({ index: 5, distance: 0 });
    const byVector = exactKnn(t, { mu: q.mu }, { k: 3 });
    expect(byVector[0]?.index).toBe(5);
    expect(byVector.slice(1).map((n) => n.index)).toEqual(
      exactKnn(t, { row: 5 }, { k: 2 }).map((n) => n.index),
    );
    // Including the query row itself.
    expect(exactKnn(t, { row: 5 }, { k: 1, excludeSelf: false })[0]?.index).toBe(5);
  });

  it('restricts to folders', () => {
    const got = exactKnn(t, { row: 0 }, { k: 5, folders: [2, 3], metric: 'wasserstein' });
    expect(got.every((n) => [2, 3].includes(t.folders?.[n.index] as number))).toBe(true);
    expect(got.map((n) => n.index)).toEqual(
      bruteForce(t, 0, 'wasserstein', 5, [2, 3]).map((n) => n.index),
    );
  });

  it('the async variant gives the same answer and can be cancelled', async () => {
    const sync = exactKnn(t, { row: 9 }, { k: 4, metric: 'symmetric-kl' });
    const chunked = await exactKnnAsync(
      t,
      { row: 9 },
      { k: 4, metric: 'symmetric-kl', chunkRows: 37 },
    );
    expect(chunked).toEqual(sync);
    const ac = new AbortController();
    ac.abort();
    await expect(exactKnnAsync(t, { row: 9 }, { k: 4, signal: ac.signal })).rejects.toMatchObject({
      code: 'CANCELLED',
      reason: 'cancelled',
    });
  });

  it('refuses bad input with clear typed errors', () => {
    const small = tableFrom(
      [
        [0, 0],
        [1, 0],
        [0, 1],
      ],
      undefined,
      [1, 1, 2],
    );
    const bad = (f: () => unknown, reason: string, message: RegExp) => {
      try {
        f();
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(LatentError);
        expect((e as LatentError).reason).toBe(reason);
        expect((e as Error).message).toMatch(message);
      }
    };
    bad(() => exactKnn(small, { row: 0 }, { k: 3 }), 'bad-k', /only 2 images are in the library/);
    bad(
      () => exactKnn(small, { row: 0 }, { k: 2, folders: [1] }),
      'bad-k',
      /only 1 image is in folder 1/,
    );
    bad(() => exactKnn(small, { row: 0 }, { k: 0 }), 'bad-option', /k must be an integer ≥ 1/);
    bad(() => exactKnn(small, { row: 3 }, { k: 1 }), 'bad-index', /not a row/);
    bad(
      () => exactKnn(small, { mu: [1] }, { k: 1 }),
      'bad-shape',
      /has 1 values, the latent space has 2/,
    );
    bad(() => exactKnn(small, { mu: [1, NaN] }, { k: 1 }), 'non-finite', /NaN at dim 1/);
    bad(
      () => exactKnn(small, { mu: [1, 1] }, { k: 1, metric: 'symmetric-kl' }),
      'needs-logvar',
      /bare latent vector/,
    );
    bad(
      () => exactKnn(tableFrom([[0], [1]]), { row: 0 }, { k: 1, folders: [1] }),
      'no-folders',
      /no folder ids/,
    );
    bad(
      () =>
        latentTable({
          n: 2,
          d: 2,
          mu: new Float32Array([0, 1, 2, Infinity]),
          logvar: new Float32Array(4),
          ids: [7, 8],
        }),
      'non-finite',
      /mu is Infinity at row 1 \(image id 8\), dim 1/,
    );
    bad(
      () =>
        latentTable({
          n: 2,
          d: 2,
          mu: new Float32Array(3),
          logvar: new Float32Array(4),
          ids: [7, 8],
        }),
      'bad-shape',
      /mu has 3 values, expected n×d = 2×2 = 4/,
    );
    expect(isPosteriorMetric('euclidean')).toBe(false);
  });
});
