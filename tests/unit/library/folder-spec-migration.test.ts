/**
 * Folder specs moved from `folder-settings.json` (rewritten from a stale copy when two processes
 * shared a data directory) into the catalogue's folders table: catalogue migration 2 imports
 * the old file once and removes it.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CATALOGUE_FILE, openLibrary } from '../../../app/library/library';
import { DEFAULT_SPEC, type PreprocessSpec } from '../../../app/library/types';
import { makeTempDir } from './helpers';

let dir: string;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  ({ dir, cleanup } = await makeTempDir('spec-migration'));
});
afterEach(() => cleanup());

/** Builds a schema-1 catalogue (what the previous release wrote) with two folders. */
async function schemaOneCatalogue(libraryDir: string, folders: string[]): Promise<number[]> {
  const lib = await openLibrary(libraryDir);
  const ids: number[] = [];
  for (const folder of folders) ids.push((await lib.addFolder(folder)).id);
  await lib.close();
  const db = new Database(path.join(libraryDir, CATALOGUE_FILE));
  db.exec('DROP TABLE latent_maps; DROP TABLE embeddings; DROP TABLE embedding_sets');
  db.exec('ALTER TABLE folders DROP COLUMN spec_json');
  db.pragma('user_version = 1');
  db.close();
  return ids;
}

describe('folder specs in the catalogue', () => {
  it('imports the old folder-settings.json once, then removes it', async () => {
    const libraryDir = path.join(dir, 'library');
    const a = path.join(dir, 'a');
    const b = path.join(dir, 'b');
    await mkdir(a);
    await mkdir(b);
    const [idA, idB] = await schemaOneCatalogue(libraryDir, [a, b]);
    const small: PreprocessSpec = { ...DEFAULT_SPEC, size: 32, channels: 1 };
    const legacy = path.join(dir, 'folder-settings.json');
    await writeFile(legacy, JSON.stringify({ version: 1, specs: { [String(idA)]: small } }));

    const lib = await openLibrary(libraryDir, { legacyFolderSettings: legacy });
    try {
      expect(lib.getFolder(idA!)?.spec).toEqual(small);
      expect(lib.getFolder(idB!)?.spec).toEqual(DEFAULT_SPEC);
      expect(existsSync(legacy)).toBe(false);
    } finally {
      await lib.close();
    }
  });

  it('gives every folder the default spec when the old file is damaged', async () => {
    const libraryDir = path.join(dir, 'library');
    const a = path.join(dir, 'a');
    await mkdir(a);
    const [idA] = await schemaOneCatalogue(libraryDir, [a]);
    const legacy = path.join(dir, 'folder-settings.json');
    await writeFile(legacy, '{ not json');
    const lib = await openLibrary(libraryDir, { legacyFolderSettings: legacy });
    try {
      expect(lib.getFolder(idA!)?.spec).toEqual(DEFAULT_SPEC);
    } finally {
      await lib.close();
    }
  });

  it('keeps a folder its spec when it is added again without one, and replaces it when given', async () => {
    const libraryDir = path.join(dir, 'library');
    const a = path.join(dir, 'a');
    await mkdir(a);
    const small: PreprocessSpec = { ...DEFAULT_SPEC, size: 32, channels: 1 };
    const lib = await openLibrary(libraryDir);
    try {
      const first = await lib.addFolder(a, small);
      expect((await lib.addFolder(a)).spec).toEqual(small);
      const big: PreprocessSpec = { ...small, size: 48 };
      expect((await lib.addFolder(a, big)).spec).toEqual(big);
      expect(lib.getFolder(first.id)?.spec).toEqual(big);
    } finally {
      await lib.close();
    }
  });
});
