/**
 * Latent embeddings in the catalogue (schema 3). A set holds one run's embeddings at one
 * checkpoint step: one row per content hash (mu and logvar as float32 blobs, -ELBO and KL).
 * Sets join the library's ok images by hash when read, so duplicates each get a row, a changed
 * file (new hash) needs a new row and removed images simply stop joining.
 *
 * Cached 2-D maps of a set (latent_maps) record the set's revision they were computed from;
 * every write or drop bumps it, and `loadMap` returns null for a stale map.
 *
 * Blobs are little-endian (float32 for mu, logvar and coords; int32 for image ids), written
 * and read explicitly so, whatever the machine's byte order.
 */
import type Database from 'better-sqlite3';

export interface EmbeddingSetInfo {
  id: number;
  runId: string;
  step: number;
  dims: number;
  revision: number;
  count: number;
  createdAt: string;
  updatedAt: string;
}

export interface EmbeddingRow {
  hash: string;
  mu: Float32Array;
  logvar: Float32Array;
  negElbo: number;
  kl: number;
}

/** Rows of a set joined to the library's ok images (duplicates each get their own row), ordered by image id. */
export interface StoredEmbeddings {
  set: EmbeddingSetInfo;
  n: number;
  d: number;
  ids: Int32Array;
  folders: Int32Array;
  hashes: string[];
  /** Each image's path relative to its folder (`/`-separated). */
  relPaths: string[];
  /** [n, d] row-major. */
  mu: Float32Array;
  /** [n, d] row-major. */
  logvar: Float32Array;
  negElbo: Float32Array;
  kl: Float32Array;
}

export interface StoredMap {
  method: string;
  revision: number;
  meta: unknown;
  imageIds: Int32Array;
  /** [n, 2] row-major. */
  coords: Float32Array;
  createdAt: string;
}

type JoinedRow = {
  id: number;
  folderId: number;
  relPath: string;
  hash: string;
  negElbo: number;
  kl: number;
} & {
  mu: Buffer;
  logvar: Buffer;
};
type MapRow = Omit<StoredMap, 'meta' | 'imageIds' | 'coords'> & {
  metaJson: string;
  imageIds: Buffer;
  coords: Buffer;
};

const SET_SELECT = `SELECT s.id, s.run_id AS runId, s.step, s.dims, s.revision,
  (SELECT COUNT(*) FROM embeddings e WHERE e.set_id = s.id) AS count,
  s.created_at AS createdAt, s.updated_at AS updatedAt FROM embedding_sets s`;

/** SQLite limits bound parameters; 500 per statement stays far below it. */
const CHUNK = 500;

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

const placeholders = (n: number) => Array.from({ length: n }, () => '?').join(',');

/** The bytes of a float32 / int32 array, little-endian (a view on little-endian machines). */
function toBlob(values: Float32Array | Int32Array): Buffer {
  if (LITTLE_ENDIAN) return Buffer.from(values.buffer, values.byteOffset, values.byteLength);
  const blob = Buffer.alloc(values.byteLength);
  const float = values instanceof Float32Array;
  for (const [k, v] of values.entries())
    if (float) blob.writeFloatLE(v, k * 4);
    else blob.writeInt32LE(v, k * 4);
  return blob;
}

/**
 * Copies `count` little-endian values of a blob into `out` at `at` (`name` of `owner` names it
 * in errors). A Buffer from SQLite may sit at any byte offset of a shared pool, so it is read
 * through a DataView, never viewed as a typed array.
 */
function readBlob(
  blob: Buffer,
  out: Float32Array | Int32Array,
  at: number,
  count: number,
  name: string,
  owner: string,
): void {
  if (blob.byteLength !== count * 4)
    throw new Error(`${name} of ${owner}: expected ${count * 4} bytes, found ${blob.byteLength}`);
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  if (out instanceof Float32Array)
    for (let k = 0; k < count; k++) out[at + k] = view.getFloat32(k * 4, true);
  else for (let k = 0; k < count; k++) out[at + k] = view.getInt32(k * 4, true);
}

function validateRow(row: EmbeddingRow, dims: number): void {
  if (typeof row.hash !== 'string' || row.hash === '')
    throw new TypeError('an embedding row needs a content hash');
  const where = `embedding of ${row.hash}`;
  for (const name of ['mu', 'logvar'] as const) {
    const values = row[name];
    if (!(values instanceof Float32Array))
      throw new TypeError(`${where}: ${name} must be a Float32Array`);
    if (values.length !== dims)
      throw new RangeError(
        `${where}: ${name} has ${values.length} values, the set has ${dims} dims`,
      );
    for (let k = 0; k < values.length; k++)
      if (!Number.isFinite(values[k]))
        throw new RangeError(`${where}: ${name}[${k}] is not finite`);
  }
  if (!Number.isFinite(row.negElbo)) throw new RangeError(`${where}: negElbo is not finite`);
  if (!Number.isFinite(row.kl)) throw new RangeError(`${where}: kl is not finite`);
}

export class EmbeddingStore {
  private readonly statements = new Map<string, unknown>();

  constructor(
    private readonly db: Database.Database,
    private readonly readOnly: boolean,
  ) {}

  /** The sets of a run, newest step first. */
  sets(runId: string): EmbeddingSetInfo[] {
    const sql = `${SET_SELECT} WHERE s.run_id = ? ORDER BY s.step DESC`;
    return this.prepare<[string], EmbeddingSetInfo>(sql).all(runId);
  }

  set(runId: string, step: number): EmbeddingSetInfo | null {
    const sql = `${SET_SELECT} WHERE s.run_id = ? AND s.step = ?`;
    return this.prepare<[string, number], EmbeddingSetInfo>(sql).get(runId, step) ?? null;
  }

  /** The content hashes a set has rows for (to embed only what is new). */
  storedHashes(setId: number): Set<string> {
    const hashes = this.prepare<[number], string>('SELECT hash FROM embeddings WHERE set_id = ?')
      .pluck()
      .all(setId);
    return new Set(hashes);
  }

  /**
   * Upserts rows into the set of (runId, step), created if missing, in one transaction, and
   * bumps its revision. An existing set must have the same dims.
   */
  write(
    runId: string,
    step: number,
    dims: number,
    rows: readonly EmbeddingRow[],
    now = new Date(),
  ): EmbeddingSetInfo {
    this.assertWritable();
    if (typeof runId !== 'string' || runId === '') throw new TypeError('a set needs a run id');
    if (!(Number.isSafeInteger(step) && step >= 0 && Number.isSafeInteger(dims) && dims > 0))
      throw new RangeError(`step must be an integer >= 0 and dims one > 0: ${step}, ${dims}`);
    for (const row of rows) validateRow(row, dims);
    const t = now.toISOString();
    const write = this.db.transaction(() => {
      this.prepare(
        `INSERT INTO embedding_sets (run_id, step, dims, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (run_id, step) DO NOTHING`,
      ).run(runId, step, dims, t, t);
      const set = this.prepare<[string, number], { id: number; dims: number }>(
        'SELECT id, dims FROM embedding_sets WHERE run_id = ? AND step = ?',
      ).get(runId, step);
      if (!set) throw new Error(`the embedding set of ${runId} at step ${step} was not created`);
      if (set.dims !== dims)
        throw new RangeError(
          `the embedding set of ${runId} at step ${step} has ${set.dims} dims, got ${dims}`,
        );
      const upsert = this.prepare(
        `INSERT INTO embeddings (set_id, hash, mu, logvar, neg_elbo, kl) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (set_id, hash) DO UPDATE SET mu = excluded.mu, logvar = excluded.logvar,
           neg_elbo = excluded.neg_elbo, kl = excluded.kl`,
      );
      for (const row of rows)
        upsert.run(set.id, row.hash, toBlob(row.mu), toBlob(row.logvar), row.negElbo, row.kl);
      this.bump(set.id, t);
      return this.setById(set.id);
    });
    const info = write.immediate();
    if (!info) throw new Error(`the embedding set of ${runId} at step ${step} vanished`);
    return info;
  }

  /** Deletes the rows of `hashes` from a set; bumps its revision if any went. */
  drop(setId: number, hashes: readonly string[], now = new Date()): number {
    this.assertWritable();
    if (hashes.length === 0) return 0;
    const drop = this.db.transaction(() => {
      let deleted = 0;
      for (let start = 0; start < hashes.length; start += CHUNK) {
        const chunk = hashes.slice(start, start + CHUNK);
        deleted += this.db
          .prepare(
            `DELETE FROM embeddings WHERE set_id = ? AND hash IN (${placeholders(chunk.length)})`,
          )
          .run(setId, ...chunk).changes;
      }
      if (deleted > 0) this.bump(setId, now.toISOString());
      return deleted;
    });
    return drop.immediate();
  }

  /** Deletes a run's sets at every other step (their rows and maps go with them). */
  dropOtherSteps(runId: string, keepStep: number): number {
    this.assertWritable();
    return this.prepare('DELETE FROM embedding_sets WHERE run_id = ? AND step != ?').run(
      runId,
      keepStep,
    ).changes;
  }

  /** Deletes every set of a run (their rows and maps go with them). */
  dropRun(runId: string): number {
    this.assertWritable();
    return this.prepare('DELETE FROM embedding_sets WHERE run_id = ?').run(runId).changes;
  }

  /**
   * The set's rows joined to the ok images (of `folderIds`, or all when absent or empty), one
   * per image, by image id; read in one transaction so the rows match `set.revision`.
   */
  load(setId: number, folderIds?: readonly number[]): StoredEmbeddings {
    const load = this.db.transaction(() => {
      const set = this.setById(setId);
      if (!set) throw new Error(`no embedding set ${setId}`);
      const scope = folderIds?.length
        ? ` AND i.folder_id IN (${placeholders(folderIds.length)})`
        : '';
      const rows = this.db
        .prepare<number[], JoinedRow>(
          `SELECT i.id, i.folder_id AS folderId, i.rel_path AS relPath, i.hash, e.mu, e.logvar, e.neg_elbo AS negElbo, e.kl FROM images i
           JOIN embeddings e ON e.set_id = ? AND e.hash = i.hash
           WHERE i.status = 'ok'${scope} ORDER BY i.id`,
        )
        .all(setId, ...(folderIds ?? []));
      return { set, rows };
    });
    const { set, rows } = load();
    const n = rows.length;
    const d = set.dims;
    const out: StoredEmbeddings = {
      set,
      n,
      d,
      ids: new Int32Array(n),
      folders: new Int32Array(n),
      hashes: new Array<string>(n),
      relPaths: new Array<string>(n),
      mu: new Float32Array(n * d),
      logvar: new Float32Array(n * d),
      negElbo: new Float32Array(n),
      kl: new Float32Array(n),
    };
    rows.forEach((row, r) => {
      out.ids[r] = row.id;
      out.folders[r] = row.folderId;
      out.hashes[r] = row.hash;
      out.relPaths[r] = row.relPath;
      readBlob(row.mu, out.mu, r * d, d, 'mu', row.hash);
      readBlob(row.logvar, out.logvar, r * d, d, 'logvar', row.hash);
      out.negElbo[r] = row.negElbo;
      out.kl[r] = row.kl;
    });
    return out;
  }

  /**
   * Stores (replaces) a set's map by `method`, computed from the set at `revision` (default: the
   * set's current one). Pass the revision the map was computed from, so a write that landed
   * while it was computed leaves the map stale instead of looking fresh.
   */
  saveMap(
    setId: number,
    method: string,
    meta: unknown,
    imageIds: Int32Array,
    coords: Float32Array,
    options: { revision?: number; now?: Date } = {},
  ): void {
    const now = options.now ?? new Date();
    this.assertWritable();
    if (typeof method !== 'string' || method === '') throw new TypeError('a map needs a method');
    if (coords.length !== 2 * imageIds.length)
      throw new RangeError(
        `a map of ${imageIds.length} images needs ${2 * imageIds.length} coordinates, got ${coords.length}`,
      );
    const { changes } = this.prepare(
      `INSERT INTO latent_maps (set_id, method, revision, meta_json, image_ids, coords, created_at)
       SELECT id, ?, COALESCE(?, revision), ?, ?, ?, ? FROM embedding_sets WHERE id = ?
       ON CONFLICT (set_id, method) DO UPDATE SET revision = excluded.revision,
         meta_json = excluded.meta_json, image_ids = excluded.image_ids, coords = excluded.coords,
         created_at = excluded.created_at`,
    ).run(
      method,
      options.revision ?? null,
      JSON.stringify(meta ?? null),
      toBlob(imageIds),
      toBlob(coords),
      now.toISOString(),
      setId,
    );
    if (changes === 0) throw new Error(`no embedding set ${setId}`);
  }

  /** A set's map by `method`; null when there is none or it is stale (older revision). */
  loadMap(setId: number, method: string): StoredMap | null {
    const row = this.prepare<[number, string], MapRow>(
      `SELECT m.method, m.revision, m.meta_json AS metaJson, m.image_ids AS imageIds, m.coords,
         m.created_at AS createdAt
       FROM latent_maps m JOIN embedding_sets s ON s.id = m.set_id
       WHERE m.set_id = ? AND m.method = ? AND m.revision = s.revision`,
    ).get(setId, method);
    if (!row) return null;
    const n = row.imageIds.byteLength / 4;
    const imageIds = new Int32Array(n);
    const coords = new Float32Array(2 * n);
    readBlob(row.imageIds, imageIds, 0, n, 'image ids', `map ${method}`);
    readBlob(row.coords, coords, 0, 2 * n, 'coords', `map ${method}`);
    return {
      method: row.method,
      revision: row.revision,
      meta: JSON.parse(row.metaJson) as unknown,
      imageIds,
      coords,
      createdAt: row.createdAt,
    };
  }

  /** A set by its id, or null. */
  setById(id: number): EmbeddingSetInfo | null {
    return this.prepare<[number], EmbeddingSetInfo>(`${SET_SELECT} WHERE s.id = ?`).get(id) ?? null;
  }

  private bump(setId: number, t: string): void {
    this.prepare(
      'UPDATE embedding_sets SET revision = revision + 1, updated_at = ? WHERE id = ?',
    ).run(t, setId);
  }

  /** A prepared statement, compiled once per store. */
  private prepare<P extends unknown[] = unknown[], R = unknown>(
    sql: string,
  ): Database.Statement<P, R> {
    let statement = this.statements.get(sql) as Database.Statement<P, R> | undefined;
    if (!statement) {
      statement = this.db.prepare<P, R>(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  private assertWritable(): void {
    if (this.readOnly) throw new Error('the library was opened read-only');
  }
}
