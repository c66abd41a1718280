/**
 * The ingest job: walks a folder, decodes new or changed images (a few at a time, so sharp keeps
 * both cores busy in libvips' threads while the event loop stays free), writes pixels to the
 * spec's cache and everything else to the catalogue in batched transactions.
 *
 * - Incremental and idempotent: a file whose size and mtime are unchanged and whose content is
 *   complete for the spec is not read again; a changed file is re-hashed, and re-decoded only if
 *   its content is new. Identical contents (duplicates, renames) are decoded once.
 * - Cancellable: on abort no new file is started, the few in flight finish, everything done is
 *   committed, and the promise rejects with ExplorerError CANCELLED. A later run resumes from there.
 * - A complete walk marks images that were not seen as `missing` (never those under a folder
 *   that could not be listed, and nothing at all if the folder itself is unavailable).
 * - Bad files never throw: each is recorded with its reason. Only infrastructure failures
 *   (catalogue or cache write errors, the folder vanishing) reject the promise.
 */
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { FailOnOptions } from 'sharp';
import { AsyncQueue } from './async-queue';
import { BatchWriter, type PendingItem } from './batch-writer';
import type { Catalogue } from './catalogue';
import { DEFAULT_DECODE_LIMITS } from './decode';
import { classifyPath } from './formats';
import { cancelledError } from './fsutil';
import { createFileProcessor } from './ingest-file';
import { validateSpec, type PixelCacheFile } from './pixel-cache';
import type { FolderRecord, PreprocessSpec } from './types';
import { resolveFolder, walkFolder, type SymlinkPolicy, type WalkFile } from './walk';

export interface IngestOptions {
  spec: PreprocessSpec;
  thumbnailSize?: number;
  /** Declared width x height above which an image is refused (default 100 MP). */
  maxInputPixels?: number;
  /** Files larger than this are not read (default 256 MiB). */
  maxFileBytes?: number;
  failOn?: FailOnOptions;
  /** Images decoded at once (default: cores clamped to 2..4). */
  concurrency?: number;
  symlinks?: SymlinkPolicy;
  /** Retry files that failed before even when unchanged (unreadable ones are always retried). */
  retryFailed?: boolean;
  /** Decoded images per transaction (default 64). */
  batchSize?: number;
  /** Longest time results wait before being committed (default 1000 ms). */
  batchMaxMs?: number;
  /** Minimum time between progress reports (default 250 ms; 0 reports every file). */
  progressIntervalMs?: number;
}

export interface IngestProgress {
  /** Image files found so far by the walk. */
  seen: number;
  /** Image files finished, whatever the outcome. */
  done: number;
  /** Of `done`: files that could not be ingested in this run. */
  failed: number;
  /** Of `done`: unchanged files that needed no work. */
  unchanged: number;
  /** Entries passed over by the walk: unsupported formats, unreadable folders, bad links... */
  skipped: number;
  /** `seen` once the walk has finished, null before. */
  total: number | null;
  ratePerSec: number;
  etaSec: number | null;
  /** Relative path of the file finished last. */
  current: string | null;
}

export interface IngestControl {
  signal?: AbortSignal;
  onProgress?: (progress: IngestProgress) => void;
}

export interface IngestResult extends IngestProgress {
  folder: FolderRecord;
  scanId: number;
  /** Files read and hashed in this run (changed or new). */
  processed: number;
  /** Images newly marked missing. */
  missing: number;
  /** Non-image files (by extension) that were ignored. */
  otherFiles: number;
  durationMs: number;
}

/** What the job needs from the library (implemented by `Library`). */
export interface IngestStore {
  readonly catalogue: Catalogue;
  addFolder(path: string): Promise<FolderRecord>;
  openPixelCache(spec: PreprocessSpec): Promise<{ id: number; file: PixelCacheFile }>;
  /** Marks an ingest as running; the returned function ends it. Throws if one is running. */
  beginIngest(folderId: number): () => void;
}

export function defaultConcurrency(): number {
  return Math.min(4, Math.max(2, availableParallelism()));
}

export async function ingestFolder(
  store: IngestStore,
  folder: string | FolderRecord,
  options: IngestOptions,
  control: IngestControl = {},
): Promise<IngestResult> {
  validateSpec(options.spec);
  if (control.signal?.aborted) throw cancelledError('The ingest');
  const record = typeof folder === 'string' ? await store.addFolder(folder) : folder;
  await resolveFolder(record.path); // FolderUnavailableError before anything is recorded
  const endIngest = store.beginIngest(record.id);
  try {
    return await runIngest(store, record, options, control);
  } finally {
    endIngest();
  }
}

async function runIngest(
  store: IngestStore,
  record: FolderRecord,
  options: IngestOptions,
  control: IngestControl,
): Promise<IngestResult> {
  const { signal, onProgress } = control;
  const spec = options.spec;
  const decodeOptions = {
    spec,
    thumbnailSize: options.thumbnailSize ?? DEFAULT_DECODE_LIMITS.thumbnailSize,
    maxInputPixels: options.maxInputPixels ?? DEFAULT_DECODE_LIMITS.maxInputPixels,
    failOn: options.failOn ?? DEFAULT_DECODE_LIMITS.failOn,
  };
  const maxFileBytes = options.maxFileBytes ?? 256 * 1024 * 1024;
  const batchSize = Math.max(1, options.batchSize ?? 64);
  const batchMaxMs = options.batchMaxMs ?? 1000;
  const progressMs = options.progressIntervalMs ?? 250;
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? defaultConcurrency()));
  const { catalogue } = store;
  const cache = await store.openPixelCache(spec);
  const scanId = catalogue.beginScan(record.id);
  const started = performance.now();

  const counts = { seen: 0, done: 0, failed: 0, unchanged: 0, skipped: 0, otherFiles: 0 };
  let walkComplete = false;
  let current: string | null = null;
  let fatal: unknown = null;
  const unlisted: Buffer[] = [];
  const queue = new AsyncQueue<WalkFile>();
  const onAbort = () => queue.close();
  signal?.addEventListener('abort', onAbort);

  // ------------------------------------------------------------------ progress
  let lastReport = -Infinity;
  const snapshot = (): IngestProgress => {
    const elapsed = (performance.now() - started) / 1000;
    const ratePerSec = elapsed > 0 ? counts.done / elapsed : 0;
    return {
      seen: counts.seen,
      done: counts.done,
      failed: counts.failed,
      unchanged: counts.unchanged,
      skipped: counts.skipped,
      total: walkComplete ? counts.seen : null,
      ratePerSec,
      etaSec: walkComplete && ratePerSec > 0 ? (counts.seen - counts.done) / ratePerSec : null,
      current,
    };
  };
  const report = (force = false) => {
    if (!onProgress) return;
    const t = performance.now();
    if (!force && t - lastReport < progressMs) return;
    lastReport = t;
    try {
      onProgress(snapshot());
    } catch (error) {
      fatal ??= error;
      queue.close();
    }
  };

  const writer = new BatchWriter(catalogue, scanId, cache, {
    batchSize,
    batchMaxMs,
    onError: (error) => {
      fatal ??= error;
      queue.close();
    },
  });
  const push = (item: PendingItem) => writer.push(item);

  // ------------------------------------------------------------------ producer: the walk
  const producer = (async () => {
    try {
      for await (const event of walkFolder(record.path, { signal, symlinks: options.symlinks })) {
        if (fatal) break;
        if (event.type === 'problem') {
          counts.skipped++;
          if (event.folder) unlisted.push(event.key);
          await push({
            op: 'skip',
            folderId: record.id,
            key: event.key,
            relPath: event.relPath,
            kind: event.kind,
            reason: event.reason,
          });
          continue;
        }
        const kind = classifyPath(event.relPath);
        if (kind.kind === 'other') {
          counts.otherFiles++;
        } else if (kind.kind === 'unsupported') {
          counts.skipped++;
          await push({
            op: 'skip',
            folderId: record.id,
            key: event.key,
            relPath: event.relPath,
            kind: 'unsupported-format',
            reason: kind.reason,
          });
        } else {
          counts.seen++;
          queue.push(event);
        }
      }
      walkComplete = !signal?.aborted && !fatal;
    } finally {
      queue.close();
    }
  })();
  producer.catch(() => undefined); // handled below, after the workers

  // ------------------------------------------------------------------ workers
  const files = createFileProcessor({
    catalogue,
    folderId: record.id,
    cacheId: cache.id,
    decode: decodeOptions,
    maxFileBytes,
    retryFailed: options.retryFailed ?? false,
    signal,
  });

  const worker = async () => {
    let sinceYield = 0;
    for (;;) {
      if (signal?.aborted || fatal) return;
      const file = await queue.next();
      if (!file || signal?.aborted || fatal) return;
      let item: PendingItem;
      try {
        item = await files.process(file);
      } catch (error) {
        if (signal?.aborted) return;
        fatal ??= error;
        queue.close();
        return;
      }
      if (item.op === 'seen') counts.unchanged++;
      if (item.op === 'failed') counts.failed++;
      counts.done++;
      current = file.relPath;
      await push(item);
      report();
      if (++sinceYield >= 32) {
        sinceYield = 0;
        await yieldToLoop();
      }
    }
  };

  const finishScan = (
    state: 'completed' | 'cancelled' | 'failed',
    missing: number,
    error: unknown = null,
  ) => {
    const scanCounts = {
      seen: counts.seen,
      processed: files.processed,
      unchanged: counts.unchanged,
      failed: counts.failed,
      missing,
      skipped: counts.skipped,
      otherFiles: counts.otherFiles,
    };
    const message = error === null ? null : error instanceof Error ? error.message : String(error);
    catalogue.finishScan(scanId, state, scanCounts, message);
  };

  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
    let walkError: unknown = null;
    await producer.catch((error: unknown) => {
      walkError = error;
    });
    await writer.flush();
    const failure = fatal ?? (signal?.aborted ? null : walkError);
    if (failure) {
      try {
        finishScan('failed', 0, failure);
      } catch {
        // The catalogue itself may be what failed: the original error is the one to report.
      }
      throw failure;
    }
    if (signal?.aborted) {
      finishScan('cancelled', 0);
      report(true);
      throw cancelledError('The ingest');
    }
    const missing = walkComplete ? catalogue.finishWalk(record.id, scanId, unlisted) : 0;
    finishScan('completed', missing);
    report(true);
    return {
      ...snapshot(),
      etaSec: 0,
      folder: catalogue.getFolder(record.id) ?? record,
      scanId,
      processed: files.processed,
      missing,
      otherFiles: counts.otherFiles,
      durationMs: performance.now() - started,
    };
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}
