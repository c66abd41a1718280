/**
 * Read-only catalogue queries for the UI, the thumbnail route and training: image pages,
 * problems ("skipped" list), duplicates, per-folder summaries, the training set of a spec.
 */
import type Database from 'better-sqlite3';
import type {
  DuplicateGroup,
  FailureKind,
  FolderRecord,
  FolderSummary,
  ImageRecord,
  ImageStatus,
  ProblemEntry,
  SkipKind,
} from './types';

interface ImageRow {
  id: number;
  folder_id: number;
  rel_path: string;
  size: number;
  mtime_ms: number;
  hash: string | null;
  status: ImageStatus;
  error_kind: FailureKind | null;
  error: string | null;
  format: string | null;
  width: number | null;
  height: number | null;
}

const IMAGE_SELECT = `SELECT i.id, i.folder_id, i.rel_path, i.size, i.mtime_ms, i.hash, i.status, i.error_kind, i.error,
  c.format, c.width, c.height FROM images i LEFT JOIN contents c ON c.hash = i.hash AND i.status != 'failed'`;

function toImage(row: ImageRow): ImageRecord {
  return {
    id: row.id,
    folderId: row.folder_id,
    relPath: row.rel_path,
    size: row.size,
    mtimeMs: row.mtime_ms,
    hash: row.hash,
    status: row.status,
    errorKind: row.error_kind,
    error: row.error,
    format: row.format,
    width: row.width,
    height: row.height,
  };
}

export interface ImagePageRequest {
  folderId?: number;
  status?: ImageStatus;
  offset?: number;
  limit?: number;
}

export function getImage(db: Database.Database, id: number): ImageRecord | null {
  const row = db.prepare<[number], ImageRow>(`${IMAGE_SELECT} WHERE i.id = ?`).get(id);
  return row ? toImage(row) : null;
}

export function getImageKey(
  db: Database.Database,
  id: number,
): { folderId: number; key: Buffer } | null {
  const row = db
    .prepare<[number], { folder_id: number; path_key: Buffer }>(
      'SELECT folder_id, path_key FROM images WHERE id = ?',
    )
    .get(id);
  return row ? { folderId: row.folder_id, key: row.path_key } : null;
}

/** A page of images ordered by folder and path. */
export function listImages(
  db: Database.Database,
  req: ImagePageRequest = {},
): { total: number; images: ImageRecord[] } {
  const where: string[] = [];
  const params: (string | number)[] = [];
  if (req.folderId !== undefined) {
    where.push('i.folder_id = ?');
    params.push(req.folderId);
  }
  if (req.status !== undefined) {
    where.push('i.status = ?');
    params.push(req.status);
  }
  const clause = where.length ? ` WHERE ${where.join(' AND ')}` : '';
  const total = (
    db.prepare(`SELECT COUNT(*) AS n FROM images i${clause}`).get(...params) as { n: number }
  ).n;
  const limit = Math.max(0, Math.min(req.limit ?? 500, 10_000));
  const rows = db
    .prepare<(string | number)[], ImageRow>(
      `${IMAGE_SELECT}${clause} ORDER BY i.folder_id, i.rel_path, i.id LIMIT ? OFFSET ?`,
    )
    .all(...params, limit, Math.max(0, req.offset ?? 0));
  return { total, images: rows.map(toImage) };
}

export interface ThumbnailData {
  data: Buffer;
  mime: 'image/webp';
  width: number;
  height: number;
}

/** The thumbnail of an image by id (also for missing images whose content is still known). */
export function getThumbnail(db: Database.Database, imageId: number): ThumbnailData | null {
  const row = db
    .prepare<[number], { thumb: Buffer; thumb_width: number; thumb_height: number }>(
      `SELECT c.thumb, c.thumb_width, c.thumb_height FROM images i JOIN contents c ON c.hash = i.hash
       WHERE i.id = ? AND i.status != 'failed'`,
    )
    .get(imageId);
  return row
    ? { data: row.thumb, mime: 'image/webp', width: row.thumb_width, height: row.thumb_height }
    : null;
}

/** Failed images and walk-level problems of a folder, ordered by path. */
export function listProblems(
  db: Database.Database,
  folderId: number,
  page: { offset?: number; limit?: number; kind?: string } = {},
): { total: number; byKind: Record<string, number>; problems: ProblemEntry[] } {
  const union = `SELECT rel_path AS path, error_kind AS kind, error AS reason, id AS image_id FROM images
      WHERE folder_id = @folderId AND status = 'failed'
    UNION ALL SELECT rel_path, kind, reason, NULL FROM skipped WHERE folder_id = @folderId`;
  const byKind: Record<string, number> = {};
  for (const row of db
    .prepare<{ folderId: number }, { kind: string; n: number }>(
      `SELECT kind, COUNT(*) AS n FROM (${union}) GROUP BY kind`,
    )
    .all({ folderId })) {
    byKind[row.kind] = row.n;
  }
  const filter = page.kind === undefined ? '' : ' WHERE kind = @kind';
  const total =
    page.kind === undefined
      ? Object.values(byKind).reduce((a, b) => a + b, 0)
      : (byKind[page.kind] ?? 0);
  const rows = db
    .prepare<
      { folderId: number; limit: number; offset: number; kind?: string },
      { path: string; kind: FailureKind | SkipKind; reason: string; image_id: number | null }
    >(`SELECT * FROM (${union})${filter} ORDER BY path LIMIT @limit OFFSET @offset`)
    .all({
      folderId,
      limit: Math.max(0, Math.min(page.limit ?? 200, 10_000)),
      offset: Math.max(0, page.offset ?? 0),
      ...(page.kind !== undefined ? { kind: page.kind } : {}),
    });
  return {
    total,
    byKind,
    problems: rows.map((r) => ({
      path: r.path,
      kind: r.kind,
      reason: r.reason,
      imageId: r.image_id,
    })),
  };
}

/** Groups of ok images with identical content (optionally within one folder). */
export function listDuplicates(db: Database.Database, folderId?: number): DuplicateGroup[] {
  const scope = folderId === undefined ? '' : ' AND folder_id = @folderId';
  const rows = db
    .prepare<
      { folderId?: number },
      { id: number; folder_id: number; rel_path: string; hash: string }
    >(
      `SELECT id, folder_id, rel_path, hash FROM images WHERE status = 'ok'${scope} AND hash IN
         (SELECT hash FROM images WHERE status = 'ok'${scope} GROUP BY hash HAVING COUNT(*) > 1)
       ORDER BY hash, folder_id, rel_path`,
    )
    .all(folderId === undefined ? {} : { folderId });
  const groups: DuplicateGroup[] = [];
  for (const row of rows) {
    let group = groups[groups.length - 1];
    if (!group || group.hash !== row.hash) {
      group = { hash: row.hash, images: [] };
      groups.push(group);
    }
    group.images.push({ id: row.id, folderId: row.folder_id, relPath: row.rel_path });
  }
  return groups;
}

export function summarizeFolder(db: Database.Database, folder: FolderRecord): FolderSummary {
  const counts = { ok: 0, failed: 0, missing: 0 };
  for (const r of db
    .prepare<[number], { status: ImageStatus; n: number }>(
      'SELECT status, COUNT(*) AS n FROM images WHERE folder_id = ? GROUP BY status',
    )
    .all(folder.id)) {
    counts[r.status] = r.n;
  }
  const byFormat: Record<string, number> = {};
  let totalBytes = 0;
  for (const r of db
    .prepare<[number], { format: string; n: number; bytes: number }>(
      `SELECT c.format, COUNT(*) AS n, SUM(i.size) AS bytes FROM images i JOIN contents c ON c.hash = i.hash
       WHERE i.folder_id = ? AND i.status = 'ok' GROUP BY c.format ORDER BY c.format`,
    )
    .all(folder.id)) {
    byFormat[r.format] = r.n;
    totalBytes += r.bytes;
  }
  const unique = db
    .prepare<[number], { n: number }>(
      `SELECT COUNT(DISTINCT hash) AS n FROM images WHERE folder_id = ? AND status = 'ok'`,
    )
    .get(folder.id);
  const skipped = db
    .prepare<[number], { n: number }>('SELECT COUNT(*) AS n FROM skipped WHERE folder_id = ?')
    .get(folder.id);
  const uniqueCount = unique?.n ?? 0;
  return {
    folder,
    okCount: counts.ok,
    failedCount: counts.failed,
    missingCount: counts.missing,
    skippedCount: skipped?.n ?? 0,
    uniqueCount,
    duplicateCount: counts.ok - uniqueCount,
    byFormat,
    totalBytes,
  };
}

/**
 * The training set of a pixel cache: one entry per distinct content among the ok images (the
 * lowest image id stands for its duplicates), in image-id order, with its slot.
 */
export function trainingSet(
  db: Database.Database,
  cacheId: number,
  folderIds?: readonly number[],
): { imageIds: number[]; hashes: string[]; slots: number[] } {
  const scope = folderIds?.length
    ? ` AND i.folder_id IN (${folderIds.map(() => '?').join(',')})`
    : '';
  const rows = db
    .prepare<number[], { id: number; hash: string; slot: number }>(
      `SELECT MIN(i.id) AS id, i.hash AS hash, p.slot AS slot FROM images i
       JOIN pixel_records p ON p.cache_id = ? AND p.hash = i.hash
       WHERE i.status = 'ok'${scope} GROUP BY i.hash ORDER BY id`,
    )
    .all(cacheId, ...(folderIds ?? []));
  return {
    imageIds: rows.map((r) => r.id),
    hashes: rows.map((r) => r.hash),
    slots: rows.map((r) => r.slot),
  };
}

export function slotsOf(
  db: Database.Database,
  cacheId: number,
  imageIds: readonly number[],
): Map<number, number> {
  const slots = new Map<number, number>();
  // SQLite limits bound parameters; 500 per query stays far below it.
  for (let start = 0; start < imageIds.length; start += 500) {
    const ids = imageIds.slice(start, start + 500);
    const rows = db
      .prepare<number[], { id: number; slot: number }>(
        `SELECT i.id AS id, p.slot AS slot FROM images i
         JOIN pixel_records p ON p.cache_id = ? AND p.hash = i.hash
         WHERE i.status = 'ok' AND i.id IN (${ids.map(() => '?').join(',')})`,
      )
      .all(cacheId, ...ids);
    for (const row of rows) slots.set(row.id, row.slot);
  }
  return slots;
}
