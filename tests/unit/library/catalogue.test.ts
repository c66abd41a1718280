import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Catalogue } from '../../../app/library/catalogue';
import { openLibrary } from '../../../app/library/library';
import { CatalogueVersionError, SCHEMA_VERSION } from '../../../app/library/schema';
import { makeTempDir } from './helpers';

let dir: string;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  ({ dir, cleanup } = await makeTempDir('catalogue'));
});
afterEach(() => cleanup());

describe('Catalogue', () => {
  it('creates a versioned schema in WAL mode with foreign keys on', () => {
    const catalogue = new Catalogue(path.join(dir, 'c.sqlite'));
    try {
      expect(SCHEMA_VERSION).toBeGreaterThanOrEqual(1);
      expect(catalogue.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
      expect(catalogue.db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(catalogue.db.pragma('foreign_keys', { simple: true })).toBe(1);
      const tables = catalogue.db
        .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`)
        .all();
      expect(tables.map((t) => (t as { name: string }).name)).toEqual([
        'contents',
        'embedding_sets',
        'embeddings',
        'folders',
        'images',
        'latent_maps',
        'pixel_caches',
        'pixel_records',
        'scans',
        'skipped',
      ]);
    } finally {
      catalogue.close();
    }
  });

  it('migrates idempotently and refuses a catalogue from a newer version', () => {
    const file = path.join(dir, 'c.sqlite');
    new Catalogue(file).close();
    const again = new Catalogue(file);
    expect(again.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    again.close();
    const raw = new Database(file);
    raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();
    expect(() => new Catalogue(file)).toThrow(CatalogueVersionError);
    expect(() => new Catalogue(file, { readOnly: true })).toThrow(/newer|reads version/);
  });

  it('reserves pixel slots atomically and consecutively', () => {
    const catalogue = new Catalogue(path.join(dir, 'c.sqlite'));
    const spec = { size: 8, channels: 1, fit: 'cover', background: { r: 0, g: 0, b: 0 } } as const;
    const row = catalogue.pixelCache(spec);
    expect(catalogue.pixelCache(spec).id).toBe(row.id);
    expect(catalogue.reserveSlots(row.id, 3)).toBe(0);
    expect(catalogue.reserveSlots(row.id, 2)).toBe(3);
    expect(catalogue.findPixelCache(spec)?.reserved).toBe(5);
    catalogue.resetPixelCache(row.id);
    expect(catalogue.reserveSlots(row.id, 1)).toBe(0);
    catalogue.close();
  });

  it('registers folders once by real path; the library wants absolute paths', async () => {
    const lib = await openLibrary(path.join(dir, 'data'));
    try {
      const a = await lib.addFolder(dir);
      const b = await lib.addFolder(path.join(dir, '.', 'data', '..'));
      expect(b.id).toBe(a.id);
      expect(lib.listFolders()).toHaveLength(1);
      await expect(lib.addFolder('relative/path')).rejects.toThrow(/absolute/);
      await expect(lib.addFolder(path.join(dir, 'nope'))).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
    } finally {
      await lib.close();
    }
    await expect(openLibrary('relative')).rejects.toThrow(/absolute/);
  });

  it('opens read-only for another process without writing', async () => {
    const dataDir = path.join(dir, 'data');
    const writer = await openLibrary(dataDir);
    await writer.addFolder(dir);
    const reader = await openLibrary(dataDir, { readOnly: true });
    try {
      expect(reader.listFolders()).toHaveLength(1);
      await expect(reader.addFolder(dir)).rejects.toThrow(/read-only/);
      expect(
        reader.trainingSet({ size: 8, channels: 3, fit: 'cover', background: { r: 0, g: 0, b: 0 } })
          .slots,
      ).toEqual([]);
    } finally {
      await reader.close();
      await writer.close();
    }
  });
});
