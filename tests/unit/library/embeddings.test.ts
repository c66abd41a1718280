/**
 * Latent embeddings in the catalogue (schema 3): sets per run and step keyed by content hash,
 * joined to the ok images when loaded, and cached 2-D maps that go stale with the set's revision.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EmbeddingRow } from '../../../app/library/embeddings';
import { CATALOGUE_FILE, openLibrary, type Library } from '../../../app/library/library';
import { SCHEMA_VERSION } from '../../../app/library/schema';
import type { ImageRecord, PreprocessSpec } from '../../../app/library/types';
import { makeTempDir, put, solid } from './helpers';

const SPEC: PreprocessSpec = {
  size: 8,
  channels: 3,
  fit: 'cover',
  background: { r: 0, g: 0, b: 0 },
};
const DIMS = 3;
const RUN = 'run-1';

let base: string;
let dataDir: string;
let cleanup: () => Promise<void>;
let lib: Library;
let folderA: number;
let folderB: number;
/** By relative path: a/red.png, a/copy-of-red.png (same content), a/blue.png, b/green.png. */
let images: Map<string, ImageRecord>;

/** A row whose values are exact in float32 (k/8 steps) and distinct per `seed`. */
function row(hash: string, seed: number): EmbeddingRow {
  const values = (offset: number) =>
    Float32Array.from({ length: DIMS }, (_, k) => seed + offset + k / 8 - 0.125);
  return { hash, mu: values(0), logvar: values(-10), negElbo: 100 + seed / 4, kl: seed / 2 };
}

function hashOf(relPath: string): string {
  const hash = images.get(relPath)?.hash;
  if (!hash) throw new Error(`no image ${relPath}`);
  return hash;
}

function idOf(relPath: string): number {
  const id = images.get(relPath)?.id;
  if (id === undefined) throw new Error(`no image ${relPath}`);
  return id;
}

async function ingestFixtures(library: Library): Promise<void> {
  const red = await solid('png', { r: 255, g: 0, b: 0 });
  await put(path.join(base, 'a'), 'red.png', red);
  await put(path.join(base, 'a'), 'copy-of-red.png', red);
  await put(path.join(base, 'a'), 'blue.png', await solid('png', { r: 0, g: 0, b: 255 }));
  await put(path.join(base, 'b'), 'green.png', await solid('png', { r: 0, g: 255, b: 0 }));
  folderA = (await library.addFolder(path.join(base, 'a'))).id;
  folderB = (await library.addFolder(path.join(base, 'b'))).id;
  for (const id of [folderA, folderB]) {
    const folder = library.getFolder(id);
    if (!folder) throw new Error('folder vanished');
    await library.ingest(folder, { spec: SPEC, progressIntervalMs: 0 });
  }
  images = new Map(
    library
      .listImages({ limit: 100 })
      .images.map((image) => [`${image.folderId === folderA ? 'a' : 'b'}/${image.relPath}`, image]),
  );
  expect(images.size).toBe(4);
}

beforeEach(async () => {
  ({ dir: base, cleanup } = await makeTempDir('embeddings'));
  dataDir = path.join(base, 'data');
  lib = await openLibrary(dataDir);
  await ingestFixtures(lib);
});
afterEach(async () => {
  await lib.close();
  await cleanup();
});

const count = (table: string) =>
  (lib.catalogue.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;

describe('EmbeddingStore', () => {
  it('round-trips rows joined to the ok images, by image id, duplicates included', () => {
    const rows = [
      row(hashOf('a/red.png'), 1),
      row(hashOf('a/blue.png'), 2),
      row(hashOf('b/green.png'), 3),
      row('f'.repeat(64), 4), // a content no image has (any more): never joins
    ];
    const created = new Date('2024-05-01T10:00:00.000Z');
    const info = lib.embeddings.write(RUN, 200, DIMS, rows, created);
    expect(info).toMatchObject({ runId: RUN, step: 200, dims: DIMS, revision: 1, count: 4 });
    expect(info.createdAt).toBe(created.toISOString());
    expect(info.updatedAt).toBe(created.toISOString());
    lib.embeddings.write(RUN, 100, DIMS, [row(hashOf('a/red.png'), 9)]);
    expect(lib.embeddings.sets(RUN).map((s) => s.step)).toEqual([200, 100]);
    expect(lib.embeddings.set(RUN, 200)).toEqual(info);
    expect(lib.embeddings.set(RUN, 300)).toBeNull();
    expect(lib.embeddings.sets('other')).toEqual([]);

    const stored = lib.embeddings.load(info.id);
    expect(stored.set).toEqual(info);
    expect(stored.n).toBe(4);
    expect(stored.d).toBe(DIMS);
    const expectedIds = [...images.values()].map((i) => i.id).sort((x, y) => x - y);
    expect(Array.from(stored.ids)).toEqual(expectedIds);
    expect(stored.hashes.filter((h) => h === hashOf('a/red.png'))).toHaveLength(2);
    const byHash = new Map(rows.map((r) => [r.hash, r]));
    stored.hashes.forEach((hash, r) => {
      const expected = byHash.get(hash);
      if (!expected) throw new Error(`unexpected hash ${hash}`);
      expect(Array.from(stored.mu.subarray(r * DIMS, (r + 1) * DIMS))).toEqual(
        Array.from(expected.mu),
      );
      expect(Array.from(stored.logvar.subarray(r * DIMS, (r + 1) * DIMS))).toEqual(
        Array.from(expected.logvar),
      );
      expect(stored.negElbo[r]).toBe(expected.negElbo);
      expect(stored.kl[r]).toBe(expected.kl);
      const image = [...images.values()].find((i) => i.id === stored.ids[r]);
      expect(image?.hash).toBe(hash);
      expect(stored.folders[r]).toBe(image?.folderId);
    });

    const onlyB = lib.embeddings.load(info.id, [folderB]);
    expect(Array.from(onlyB.ids)).toEqual([idOf('b/green.png')]);
    expect(Array.from(onlyB.mu)).toEqual(Array.from(row(hashOf('b/green.png'), 3).mu));
    expect(lib.embeddings.load(info.id, []).n).toBe(4);
    expect(() => lib.embeddings.load(9999)).toThrow(/no embedding set/);
  });

  it('adds incrementally, upserts, and drops rows (in chunks) with a revision bump', () => {
    const red = hashOf('a/red.png');
    const blue = hashOf('a/blue.png');
    const first = lib.embeddings.write(RUN, 1, DIMS, [row(red, 1)]);
    expect(lib.embeddings.storedHashes(first.id)).toEqual(new Set([red]));
    const second = lib.embeddings.write(RUN, 1, DIMS, [row(red, 5), row(blue, 2)]);
    expect(second).toMatchObject({ id: first.id, revision: 2, count: 2 });
    expect(lib.embeddings.storedHashes(first.id)).toEqual(new Set([red, blue]));
    const loaded = lib.embeddings.load(first.id);
    const at = loaded.hashes.indexOf(red); // image ids follow ingest order, not names
    expect(Array.from(loaded.mu.subarray(at * DIMS, (at + 1) * DIMS))).toEqual(
      Array.from(row(red, 5).mu),
    );

    // Hashes that are not in the set are no-ops and do not bump the revision.
    expect(lib.embeddings.drop(first.id, ['nope'])).toBe(0);
    expect(lib.embeddings.drop(first.id, [])).toBe(0);
    expect(lib.embeddings.set(RUN, 1)?.revision).toBe(2);
    const later = new Date('2030-01-01T00:00:00.000Z');
    expect(lib.embeddings.drop(first.id, [blue, 'nope'], later)).toBe(1);
    expect(lib.embeddings.set(RUN, 1)).toMatchObject({
      revision: 3,
      count: 1,
      updatedAt: later.toISOString(),
    });
    expect(lib.embeddings.load(first.id).hashes).toEqual([red, red]);

    const many = Array.from({ length: 1203 }, (_, k) => row(`hash-${k}`, k));
    lib.embeddings.write(RUN, 1, DIMS, many);
    expect(lib.embeddings.set(RUN, 1)?.count).toBe(1204);
    expect(lib.embeddings.drop(first.id, [...many.map((r) => r.hash), red])).toBe(1204);
    expect(lib.embeddings.set(RUN, 1)).toMatchObject({ count: 0, revision: 5 });
  });

  it('keeps a map until the set changes, then reports it stale', () => {
    const set = lib.embeddings.write(RUN, 1, DIMS, [
      row(hashOf('a/red.png'), 1),
      row(hashOf('b/green.png'), 2),
    ]);
    expect(lib.embeddings.loadMap(set.id, 'pca')).toBeNull();
    const ids = Int32Array.from([idOf('a/red.png'), idOf('b/green.png'), -7]);
    const coords = Float32Array.from([0.1, -0.2, 3.5e-8, 1e6, -Math.PI, 42]);
    const meta = { explained: [0.7, 0.2], seed: 3 };
    const at = new Date('2024-06-01T00:00:00.000Z');
    lib.embeddings.saveMap(set.id, 'pca', meta, ids, coords, { now: at });
    const map = lib.embeddings.loadMap(set.id, 'pca');
    expect(map).toEqual({
      method: 'pca',
      revision: set.revision,
      meta,
      imageIds: ids,
      coords,
      createdAt: at.toISOString(),
    });
    // A view at an odd offset is stored as exactly its own bytes.
    const wide = new Float32Array(8).fill(9);
    wide.set([1, 2, 3, 4], 2);
    lib.embeddings.saveMap(set.id, 'umap', null, ids.subarray(1, 3), wide.subarray(2, 6));
    expect(Array.from(lib.embeddings.loadMap(set.id, 'umap')?.coords ?? [])).toEqual([1, 2, 3, 4]);
    expect(lib.embeddings.loadMap(set.id, 'umap')?.meta).toBeNull();

    lib.embeddings.write(RUN, 1, DIMS, [row(hashOf('a/blue.png'), 3)]);
    expect(lib.embeddings.loadMap(set.id, 'pca')).toBeNull();
    expect(lib.embeddings.loadMap(set.id, 'umap')).toBeNull();
    const fresh = Float32Array.from([1, 2, 3, 4, 5, 6]);
    lib.embeddings.saveMap(set.id, 'pca', meta, ids, fresh);
    expect(lib.embeddings.loadMap(set.id, 'pca')).toMatchObject({ revision: 2, coords: fresh });
    // A map computed from revision 1 but saved after the write stays stale.
    lib.embeddings.saveMap(set.id, 'umap', null, ids, fresh, { revision: 1 });
    expect(lib.embeddings.loadMap(set.id, 'umap')).toBeNull();
    lib.embeddings.drop(set.id, [hashOf('a/blue.png')]);
    expect(lib.embeddings.loadMap(set.id, 'pca')).toBeNull();

    expect(() => lib.embeddings.saveMap(set.id, 'pca', {}, ids, new Float32Array(5))).toThrow(
      /coordinates/,
    );
    expect(() => lib.embeddings.saveMap(9999, 'pca', {}, ids, fresh)).toThrow(/no embedding set/);
  });

  it('rejects a dims mismatch and non-finite values, naming the hash, and writes nothing', () => {
    const red = hashOf('a/red.png');
    const set = lib.embeddings.write(RUN, 1, DIMS, [row(red, 1)]);
    expect(() => lib.embeddings.write(RUN, 1, DIMS + 1, [])).toThrow(/has 3 dims, got 4/);
    const short = { ...row('short-hash', 2), mu: new Float32Array(DIMS - 1) };
    expect(() => lib.embeddings.write(RUN, 1, DIMS, [row(red, 3), short])).toThrow(
      /short-hash.*mu has 2 values/,
    );
    const nan = row('nan-hash', 4);
    nan.logvar[1] = Number.NaN;
    expect(() => lib.embeddings.write(RUN, 1, DIMS, [nan])).toThrow(/nan-hash.*logvar\[1\]/);
    const inf = { ...row('inf-hash', 5), kl: Number.POSITIVE_INFINITY };
    expect(() => lib.embeddings.write(RUN, 1, DIMS, [inf])).toThrow(/inf-hash.*kl/);
    expect(() => lib.embeddings.write(RUN, 2, 0, [])).toThrow(/dims/);
    expect(lib.embeddings.set(RUN, 1)).toEqual(set);
    expect(lib.embeddings.set(RUN, 2)).toBeNull();
    expect(Array.from(lib.embeddings.load(set.id).mu.subarray(0, DIMS))).toEqual(
      Array.from(row(red, 1).mu),
    );
  });

  it('refuses writes when read-only but loads sets and maps', async () => {
    const set = lib.embeddings.write(RUN, 1, DIMS, [row(hashOf('b/green.png'), 1)]);
    lib.embeddings.saveMap(
      set.id,
      'pca',
      { a: 1 },
      Int32Array.from([1]),
      Float32Array.from([2, 3]),
    );
    const reader = await openLibrary(dataDir, { readOnly: true });
    try {
      const store = reader.embeddings;
      expect(() => store.write(RUN, 1, DIMS, [])).toThrow('the library was opened read-only');
      expect(() => store.drop(set.id, ['x'])).toThrow(/read-only/);
      expect(() => store.dropRun(RUN)).toThrow(/read-only/);
      expect(() => store.dropOtherSteps(RUN, 1)).toThrow(/read-only/);
      expect(() =>
        store.saveMap(set.id, 'pca', null, new Int32Array(0), new Float32Array(0)),
      ).toThrow(/read-only/);
      expect(store.sets(RUN)).toEqual([set]);
      expect(Array.from(store.load(set.id).ids)).toEqual([idOf('b/green.png')]);
      expect(store.loadMap(set.id, 'pca')?.meta).toEqual({ a: 1 });
    } finally {
      await reader.close();
    }
  });

  it('drops other steps and whole runs with their rows and maps', () => {
    const red = hashOf('a/red.png');
    const ids = Int32Array.from([idOf('a/red.png')]);
    for (const step of [1, 2, 3]) {
      const set = lib.embeddings.write(RUN, step, DIMS, [row(red, step)]);
      lib.embeddings.saveMap(set.id, 'pca', {}, ids, Float32Array.from([step, step]));
    }
    const other = lib.embeddings.write('run-2', 1, DIMS, [row(red, 7)]);
    expect(lib.embeddings.dropOtherSteps(RUN, 3)).toBe(2);
    expect(lib.embeddings.sets(RUN).map((s) => s.step)).toEqual([3]);
    expect(count('embeddings')).toBe(2);
    expect(count('latent_maps')).toBe(1);
    expect(lib.embeddings.dropRun(RUN)).toBe(1);
    expect(lib.embeddings.dropRun(RUN)).toBe(0);
    expect(lib.embeddings.sets(RUN)).toEqual([]);
    expect(count('latent_maps')).toBe(0);
    expect(lib.catalogue.db.prepare('SELECT set_id FROM embeddings').pluck().all()).toEqual([
      other.id,
    ]);
  });

  it('migrates a version-2 catalogue to version 3 keeping its data', async () => {
    const before = lib.listImages({ limit: 100 }).images;
    const folders = lib.listFolders();
    await lib.close();
    const raw = new Database(path.join(dataDir, CATALOGUE_FILE));
    raw.exec('DROP TABLE latent_maps; DROP TABLE embeddings; DROP TABLE embedding_sets');
    raw.pragma('user_version = 2');
    raw.close();
    await expect(openLibrary(dataDir, { readOnly: true })).rejects.toThrow(/reads version/);

    lib = await openLibrary(dataDir);
    expect(SCHEMA_VERSION).toBe(3);
    expect(lib.catalogue.db.pragma('user_version', { simple: true })).toBe(3);
    expect(lib.listFolders()).toEqual(folders);
    expect(lib.listImages({ limit: 100 }).images).toEqual(before);
    const set = lib.embeddings.write(RUN, 1, DIMS, [row(hashOf('a/blue.png'), 1)]);
    expect(Array.from(lib.embeddings.load(set.id).ids)).toEqual([idOf('a/blue.png')]);
  });
});
