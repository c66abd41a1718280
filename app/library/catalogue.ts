/**
 * The SQLite catalogue (better-sqlite3, WAL): typed, prepared access to folders, images,
 * contents, walk problems, scans and pixel-cache slots. All writes of an ingest batch go
 * through `applyBatch` in one transaction. Read queries for the UI live in queries.ts.
 */
import Database from 'better-sqlite3';
import { CatalogueVersionError, migrate, SCHEMA_VERSION, type MigrationInputs } from './schema';
import { specKey, recordBytesOf } from './pixel-cache';
import type { ImageMeta } from './decode';
import {
  DEFAULT_SPEC,
  type FailureKind,
  type FolderRecord,
  type PreprocessSpec,
  type SkipKind,
} from './types';

export interface ExistingImage {
  id: number;
  size: number;
  mtimeMs: number;
  status: 'ok' | 'failed' | 'missing';
  errorKind: FailureKind | null;
  hash: string | null;
}

export interface ContentState {
  hasContent: boolean;
  slot: number | null;
}

export interface FileIdentity {
  folderId: number;
  key: Buffer;
  relPath: string;
  size: number;
  mtimeMs: number;
}

export type BatchItem =
  | { op: 'seen'; imageId: number }
  | {
      op: 'ok';
      file: FileIdentity;
      hash: string;
      /** Present when the content was decoded in this run. */
      content?: { meta: ImageMeta; thumb: Buffer; thumbWidth: number; thumbHeight: number };
      /** Present when pixels were written for this content in this run. */
      pixels?: { cacheId: number; slot: number };
    }
  | { op: 'failed'; file: FileIdentity; hash: string | null; kind: FailureKind; reason: string }
  | { op: 'skip'; folderId: number; key: Buffer; relPath: string; kind: SkipKind; reason: string };

export interface ScanCounts {
  seen: number;
  processed: number;
  unchanged: number;
  failed: number;
  missing: number;
  skipped: number;
  otherFiles: number;
}

export interface ScanRecord extends ScanCounts {
  id: number;
  state: 'running' | 'completed' | 'cancelled' | 'failed';
  startedAt: string;
  finishedAt: string | null;
  error: string | null;
}

interface ScanRow {
  id: number;
  state: ScanRecord['state'];
  started_at: string;
  finished_at: string | null;
  seen: number;
  processed: number;
  unchanged: number;
  failed: number;
  missing: number;
  skipped: number;
  other_files: number;
  error: string | null;
}

export interface PixelCacheRow {
  id: number;
  specKey: string;
  recordBytes: number;
  reserved: number;
}

interface FolderRow {
  id: number;
  path: string;
  added_at: string;
  last_scan_id: number | null;
  spec_json: string | null;
}

/** What better-sqlite3's `prepare<P, R>` returns: array parameters spread, objects named. */
type Prepared<P, R> = P extends unknown[] ? Database.Statement<P, R> : Database.Statement<[P], R>;

const now = () => new Date().toISOString();

export function toFolder(row: FolderRow): FolderRecord {
  return {
    id: row.id,
    path: row.path,
    addedAt: row.added_at,
    lastScanId: row.last_scan_id,
    spec: row.spec_json !== null ? (JSON.parse(row.spec_json) as PreprocessSpec) : DEFAULT_SPEC,
  };
}

export class Catalogue {
  readonly db: Database.Database;
  private readonly statements = new Map<string, unknown>();

  constructor(file: string, options: { readOnly?: boolean; migration?: MigrationInputs } = {}) {
    this.db = new Database(file, { readonly: options.readOnly ?? false, timeout: 5000 });
    try {
      if (!options.readOnly) {
        this.db.pragma('journal_mode = WAL');
        this.db.pragma('synchronous = NORMAL');
      }
      this.db.pragma('foreign_keys = ON');
      if (!options.readOnly) {
        migrate(this.db, options.migration);
      } else {
        const version = Number(this.db.pragma('user_version', { simple: true }));
        if (version !== SCHEMA_VERSION) {
          throw new CatalogueVersionError(
            `the catalogue has schema version ${version}, this app reads version ${SCHEMA_VERSION}: open it read-write first`,
          );
        }
      }
    } catch (error) {
      this.db.close();
      throw error;
    }
  }

  close(): void {
    this.statements.clear();
    if (this.db.open) this.db.close();
  }

  /** A prepared statement, compiled once per catalogue (the per-file path runs these a lot). */
  private prepare<P extends unknown[] | object = unknown[], R = unknown>(
    sql: string,
  ): Prepared<P, R> {
    let statement = this.statements.get(sql) as Prepared<P, R> | undefined;
    if (!statement) {
      statement = this.db.prepare<P, R>(sql) as Prepared<P, R>;
      this.statements.set(sql, statement);
    }
    return statement;
  }

  // ------------------------------------------------------------------------------- folders
  /**
   * Registers a folder with its preprocessing spec in one transaction. A folder already known
   * keeps its spec unless one is given; a new one without a spec gets the default.
   */
  addFolder(path: string, spec?: PreprocessSpec): FolderRecord {
    return this.db.transaction(() => {
      this.prepare(
        'INSERT OR IGNORE INTO folders (path, added_at, spec_json) VALUES (?, ?, ?)',
      ).run(path, now(), JSON.stringify(spec ?? DEFAULT_SPEC));
      if (spec !== undefined)
        this.prepare('UPDATE folders SET spec_json = ? WHERE path = ?').run(
          JSON.stringify(spec),
          path,
        );
      return toFolder(
        this.prepare<[string], FolderRow>('SELECT * FROM folders WHERE path = ?').get(
          path,
        ) as FolderRow,
      );
    })();
  }

  getFolder(id: number): FolderRecord | null {
    const row = this.prepare<[number], FolderRow>('SELECT * FROM folders WHERE id = ?').get(id);
    return row ? toFolder(row) : null;
  }

  findFolder(path: string): FolderRecord | null {
    const row = this.prepare<[string], FolderRow>('SELECT * FROM folders WHERE path = ?').get(path);
    return row ? toFolder(row) : null;
  }

  listFolders(): FolderRecord[] {
    return this.prepare<[], FolderRow>('SELECT * FROM folders ORDER BY id').all().map(toFolder);
  }

  /** Deletes a folder and everything recorded under it, then unreferenced contents. */
  removeFolder(id: number): boolean {
    const removed = this.db.transaction(() => {
      const { changes } = this.prepare('DELETE FROM folders WHERE id = ?').run(id);
      this.collectGarbage();
      return changes > 0;
    })();
    return removed;
  }

  /** Drops contents and pixel slots no image row refers to (missing images keep theirs). */
  collectGarbage(): void {
    const live = `SELECT hash FROM images WHERE hash IS NOT NULL AND status != 'failed'`;
    this.prepare(`DELETE FROM pixel_records WHERE hash NOT IN (${live})`).run();
    this.prepare(`DELETE FROM contents WHERE hash NOT IN (${live})`).run();
  }

  // ------------------------------------------------------------------------------- scans
  beginScan(folderId: number): number {
    const { lastInsertRowid } = this.prepare(
      `INSERT INTO scans (folder_id, started_at, state) VALUES (?, ?, 'running')`,
    ).run(folderId, now());
    return Number(lastInsertRowid);
  }

  finishScan(
    scanId: number,
    state: 'completed' | 'cancelled' | 'failed',
    counts: ScanCounts,
    error: string | null = null,
  ): void {
    this.db.transaction(() => {
      this.prepare(
        `UPDATE scans SET finished_at = @t, state = @state, seen = @seen, processed = @processed,
           unchanged = @unchanged, failed = @failed, missing = @missing, skipped = @skipped,
           other_files = @otherFiles, error = @error WHERE id = @scanId`,
      ).run({ ...counts, t: now(), state, error, scanId });
      this.prepare(
        'UPDATE folders SET last_scan_id = ? WHERE id = (SELECT folder_id FROM scans WHERE id = ?)',
      ).run(scanId, scanId);
    })();
  }

  /** The folder's last scan that ran to completion, or null. */
  lastCompletedScan(folderId: number): ScanRecord | null {
    const row = this.prepare<[number], ScanRow>(
      `SELECT * FROM scans WHERE folder_id = ? AND state = 'completed' ORDER BY id DESC LIMIT 1`,
    ).get(folderId);
    if (!row) return null;
    return {
      id: row.id,
      state: row.state,
      startedAt: row.started_at,
      finishedAt: row.finished_at,
      seen: row.seen,
      processed: row.processed,
      unchanged: row.unchanged,
      failed: row.failed,
      missing: row.missing,
      skipped: row.skipped,
      otherFiles: row.other_files,
      error: row.error,
    };
  }

  // ------------------------------------------------------------------------------- images
  findImage(folderId: number, key: Buffer): ExistingImage | null {
    const row = this.prepare<
      [number, Buffer],
      {
        id: number;
        size: number;
        mtime_ms: number;
        status: ExistingImage['status'];
        error_kind: FailureKind | null;
        hash: string | null;
      }
    >(
      'SELECT id, size, mtime_ms, status, error_kind, hash FROM images WHERE folder_id = ? AND path_key = ?',
    ).get(folderId, key);
    return row
      ? {
          id: row.id,
          size: row.size,
          mtimeMs: row.mtime_ms,
          status: row.status,
          errorKind: row.error_kind,
          hash: row.hash,
        }
      : null;
  }

  /** Whether a content is known (thumbnail + metadata) and where its pixels are for a cache. */
  contentState(hash: string, cacheId: number): ContentState {
    const row = this.prepare<
      { cacheId: number; hash: string },
      { has_content: number; slot: number | null }
    >(
      `SELECT EXISTS (SELECT 1 FROM contents WHERE hash = @hash) AS has_content,
                (SELECT slot FROM pixel_records WHERE cache_id = @cacheId AND hash = @hash) AS slot`,
    ).get({ cacheId, hash });
    return { hasContent: Boolean(row?.has_content), slot: row?.slot ?? null };
  }

  /** Applies one batch of ingest results atomically. */
  applyBatch(scanId: number, items: readonly BatchItem[]): void {
    if (items.length === 0) return;
    const t = now();
    const seen = this.prepare('UPDATE images SET seen_scan = ? WHERE id = ?');
    const content = this.prepare(
      `INSERT OR IGNORE INTO contents (hash, format, width, height, channels, has_alpha, space, thumb, thumb_width, thumb_height)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const pixels = this.prepare(
      'INSERT OR IGNORE INTO pixel_records (cache_id, hash, slot) VALUES (?, ?, ?)',
    );
    const upsert = this.prepare(
      `INSERT INTO images (folder_id, path_key, rel_path, size, mtime_ms, hash, status, error_kind, error, seen_scan, updated_at)
       VALUES (@folderId, @key, @relPath, @size, @mtimeMs, @hash, @status, @kind, @reason, @scanId, @t)
       ON CONFLICT (folder_id, path_key) DO UPDATE SET rel_path = excluded.rel_path, size = excluded.size,
         mtime_ms = excluded.mtime_ms, hash = excluded.hash, status = excluded.status,
         error_kind = excluded.error_kind, error = excluded.error, seen_scan = excluded.seen_scan,
         updated_at = excluded.updated_at`,
    );
    const skip = this.prepare(
      `INSERT INTO skipped (folder_id, path_key, rel_path, kind, reason, scan_id) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (folder_id, path_key) DO UPDATE SET rel_path = excluded.rel_path, kind = excluded.kind,
         reason = excluded.reason, scan_id = excluded.scan_id`,
    );
    this.db.transaction(() => {
      for (const item of items) {
        if (item.op === 'seen') {
          seen.run(scanId, item.imageId);
        } else if (item.op === 'skip') {
          skip.run(item.folderId, item.key, item.relPath, item.kind, item.reason, scanId);
        } else {
          const { file } = item;
          if (item.op === 'ok') {
            const c = item.content;
            if (c) {
              const m = c.meta;
              content.run(
                item.hash,
                m.format,
                m.width,
                m.height,
                m.channels,
                m.hasAlpha ? 1 : 0,
                m.space,
                c.thumb,
                c.thumbWidth,
                c.thumbHeight,
              );
            }
            if (item.pixels) pixels.run(item.pixels.cacheId, item.hash, item.pixels.slot);
          }
          upsert.run({
            folderId: file.folderId,
            key: file.key,
            relPath: file.relPath,
            size: file.size,
            mtimeMs: file.mtimeMs,
            hash: item.hash,
            status: item.op === 'ok' ? 'ok' : 'failed',
            kind: item.op === 'failed' ? item.kind : null,
            reason: item.op === 'failed' ? item.reason : null,
            scanId,
            t,
          });
        }
      }
    })();
  }

  /**
   * After a complete walk: images not seen in this scan become `missing`, except those under
   * folders that could not be listed (their files may well still exist). Also forgets walk
   * problems from earlier scans. Returns how many images became missing.
   */
  finishWalk(folderId: number, scanId: number, unlistedFolders: readonly Buffer[]): number {
    return this.db.transaction(() => {
      const rows = this.prepare<[number, number], { id: number; path_key: Buffer }>(
        `SELECT id, path_key FROM images WHERE folder_id = ? AND seen_scan < ? AND status != 'missing'`,
      ).all(folderId, scanId);
      const slash = 0x2f;
      const under = (key: Buffer) =>
        unlistedFolders.some(
          (dir) =>
            key.length > dir.length &&
            key[dir.length] === slash &&
            key.subarray(0, dir.length).equals(dir),
        );
      const mark = this.prepare(
        `UPDATE images SET status = 'missing', updated_at = ? WHERE id = ?`,
      );
      let missing = 0;
      const t = now();
      for (const row of rows) {
        if (under(row.path_key)) continue;
        mark.run(t, row.id);
        missing++;
      }
      this.prepare('DELETE FROM skipped WHERE folder_id = ? AND scan_id < ?').run(folderId, scanId);
      this.collectGarbage();
      return missing;
    })();
  }

  /** Deletes the rows of images marked missing (their contents go with the next GC). */
  purgeMissing(folderId: number): number {
    return this.db.transaction(() => {
      const { changes } = this.prepare(
        `DELETE FROM images WHERE folder_id = ? AND status = 'missing'`,
      ).run(folderId);
      this.collectGarbage();
      return changes;
    })();
  }

  // ------------------------------------------------------------------------------- pixel caches
  /** The cache row of a spec, or null if nothing was ever ingested for it. */
  findPixelCache(spec: PreprocessSpec): PixelCacheRow | null {
    const row = this.prepare<
      [string],
      { id: number; spec_key: string; record_bytes: number; reserved: number }
    >('SELECT id, spec_key, record_bytes, reserved FROM pixel_caches WHERE spec_key = ?').get(
      specKey(spec),
    );
    return row
      ? { id: row.id, specKey: row.spec_key, recordBytes: row.record_bytes, reserved: row.reserved }
      : null;
  }

  /** The cache row of a spec, registered if new. */
  pixelCache(spec: PreprocessSpec): PixelCacheRow {
    const key = specKey(spec);
    this.prepare(
      'INSERT OR IGNORE INTO pixel_caches (spec_key, spec_json, record_bytes) VALUES (?, ?, ?)',
    ).run(key, JSON.stringify(spec), recordBytesOf(spec));
    const row = this.findPixelCache(spec);
    if (!row) throw new Error(`pixel cache ${key} could not be registered`);
    return row;
  }

  /** Atomically reserves `count` consecutive slots; returns the first. Safe across processes. */
  reserveSlots(cacheId: number, count: number): number {
    const reserve = this.db.transaction(() => {
      const row = this.prepare<[number], { reserved: number }>(
        'SELECT reserved FROM pixel_caches WHERE id = ?',
      ).get(cacheId);
      if (!row) throw new Error(`unknown pixel cache ${cacheId}`);
      this.prepare('UPDATE pixel_caches SET reserved = ? WHERE id = ?').run(
        row.reserved + count,
        cacheId,
      );
      return row.reserved;
    });
    return reserve.immediate();
  }

  /** Forgets every slot of a cache (its file was lost or replaced). */
  resetPixelCache(cacheId: number): void {
    this.db.transaction(() => {
      this.prepare('DELETE FROM pixel_records WHERE cache_id = ?').run(cacheId);
      this.prepare('UPDATE pixel_caches SET reserved = 0 WHERE id = ?').run(cacheId);
    })();
  }
}
