/**
 * Catalogue schema and its migrations. The schema version lives in `PRAGMA user_version`;
 * each migration runs in its own transaction together with the version bump, so a crash
 * mid-migration leaves the previous version intact. Never edit a released migration: append.
 */
import type Database from 'better-sqlite3';

/** What a migration may need besides the database (data kept elsewhere by earlier versions). */
export interface MigrationInputs {
  /**
   * Folder id -> preprocessing spec as JSON from the old folder-settings file; called only by
   * the migration that needs it, so an up-to-date catalogue opens without reading it.
   */
  legacyFolderSpecs?: () => ReadonlyMap<number, string>;
}

type Migration = (db: Database.Database, inputs: MigrationInputs) => void;

const MIGRATIONS: readonly Migration[] = [
  // 1: folders, images, contents (thumbnail + metadata per distinct file content), walk-level
  // problems, scans, and the pixel caches with their hash -> slot maps.
  (db) => {
    db.exec(`
      CREATE TABLE folders (
        id           INTEGER PRIMARY KEY,
        path         TEXT NOT NULL UNIQUE,
        added_at     TEXT NOT NULL,
        last_scan_id INTEGER
      );
      CREATE TABLE scans (
        id          INTEGER PRIMARY KEY,
        folder_id   INTEGER NOT NULL REFERENCES folders(id) ON DELETE CASCADE,
        started_at  TEXT NOT NULL,
        finished_at TEXT,
        state       TEXT NOT NULL CHECK (state IN ('running', 'completed', 'cancelled', 'failed')),
        seen        INTEGER NOT NULL DEFAULT 0,
        processed   INTEGER NOT NULL DEFAULT 0,
        unchanged   INTEGER NOT NULL DEFAULT 0,
        failed      INTEGER NOT NULL DEFAULT 0,
        missing     INTEGER NOT NULL DEFAULT 0,
        skipped     INTEGER NOT NULL DEFAULT 0,
        other_files INTEGER NOT NULL DEFAULT 0,
        error       TEXT
      );
      CREATE TABLE contents (
        hash         TEXT PRIMARY KEY,
        format       TEXT NOT NULL,
        width        INTEGER NOT NULL,
        height       INTEGER NOT NULL,
        channels     INTEGER NOT NULL,
        has_alpha    INTEGER NOT NULL,
        space        TEXT NOT NULL,
        thumb        BLOB NOT NULL,
        thumb_width  INTEGER NOT NULL,
        thumb_height INTEGER NOT NULL
      );
      CREATE TABLE images (
        id         INTEGER PRIMARY KEY,
        folder_id  INTEGER NOT NULL REFERENCES folders(id) ON DELETE CASCADE,
        path_key   BLOB NOT NULL,
        rel_path   TEXT NOT NULL,
        size       INTEGER NOT NULL,
        mtime_ms   REAL NOT NULL,
        hash       TEXT,
        status     TEXT NOT NULL CHECK (status IN ('ok', 'failed', 'missing')),
        error_kind TEXT,
        error      TEXT,
        seen_scan  INTEGER NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (folder_id, path_key)
      );
      CREATE INDEX images_hash ON images(hash);
      CREATE INDEX images_folder_status ON images(folder_id, status, rel_path);
      CREATE TABLE skipped (
        folder_id INTEGER NOT NULL REFERENCES folders(id) ON DELETE CASCADE,
        path_key  BLOB NOT NULL,
        rel_path  TEXT NOT NULL,
        kind      TEXT NOT NULL,
        reason    TEXT NOT NULL,
        scan_id   INTEGER NOT NULL,
        PRIMARY KEY (folder_id, path_key)
      );
      CREATE TABLE pixel_caches (
        id           INTEGER PRIMARY KEY,
        spec_key     TEXT NOT NULL UNIQUE,
        spec_json    TEXT NOT NULL,
        record_bytes INTEGER NOT NULL,
        reserved     INTEGER NOT NULL DEFAULT 0
      );
      CREATE TABLE pixel_records (
        cache_id INTEGER NOT NULL REFERENCES pixel_caches(id) ON DELETE CASCADE,
        hash     TEXT NOT NULL,
        slot     INTEGER NOT NULL,
        PRIMARY KEY (cache_id, hash)
      ) WITHOUT ROWID;
    `);
  },
  // 2: each folder's preprocessing spec lives with the folder (it was a JSON file beside the
  // catalogue, rewritten from a stale copy when two processes shared a data directory). NULL
  // means the default spec. Specs of the old file are imported here, once.
  (db, inputs) => {
    db.exec('ALTER TABLE folders ADD COLUMN spec_json TEXT');
    const set = db.prepare('UPDATE folders SET spec_json = ? WHERE id = ?');
    for (const [id, json] of inputs.legacyFolderSpecs?.() ?? []) set.run(json, id);
  },
  // 3: latent embeddings of a run at a checkpoint step, keyed by content hash (duplicates share a
  // row, a changed file needs a new one, removed images stop joining), and cached 2-D maps of a
  // set. A set's revision is bumped by every write or drop; a map records the revision it was
  // computed from, so a stale map is recognised. Blobs are little-endian float32 / int32.
  (db) => {
    db.exec(`
      CREATE TABLE embedding_sets (
        id         INTEGER PRIMARY KEY,
        run_id     TEXT NOT NULL,
        step       INTEGER NOT NULL,
        dims       INTEGER NOT NULL,
        revision   INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (run_id, step)
      );
      CREATE TABLE embeddings (
        set_id   INTEGER NOT NULL REFERENCES embedding_sets(id) ON DELETE CASCADE,
        hash     TEXT NOT NULL,
        mu       BLOB NOT NULL,
        logvar   BLOB NOT NULL,
        neg_elbo REAL NOT NULL,
        kl       REAL NOT NULL,
        PRIMARY KEY (set_id, hash)
      ) WITHOUT ROWID;
      CREATE TABLE latent_maps (
        set_id     INTEGER NOT NULL REFERENCES embedding_sets(id) ON DELETE CASCADE,
        method     TEXT NOT NULL,
        revision   INTEGER NOT NULL,
        meta_json  TEXT NOT NULL,
        image_ids  BLOB NOT NULL,
        coords     BLOB NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (set_id, method)
      );
    `);
  },
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export class CatalogueVersionError extends Error {
  override name = 'CatalogueVersionError';
}

/** Brings the database to SCHEMA_VERSION; refuses a catalogue written by a newer app. */
export function migrate(
  db: Database.Database,
  inputs: MigrationInputs = {},
): { from: number; to: number } {
  const from = Number(db.pragma('user_version', { simple: true }));
  if (from > SCHEMA_VERSION) {
    throw new CatalogueVersionError(
      `the catalogue has schema version ${from}, newer than this app supports (${SCHEMA_VERSION}): update Latent Explorer`,
    );
  }
  for (let version = from; version < SCHEMA_VERSION; version++) {
    const step = MIGRATIONS[version];
    if (!step) break;
    db.transaction(() => {
      step(db, inputs);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
  return { from, to: SCHEMA_VERSION };
}
