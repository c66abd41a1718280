/**
 * What the ingest job does with one walked file, as a pure decision over the catalogue:
 *
 * 1. size and mtime unchanged, content complete for the spec  -> `seen` (nothing read)
 *    unchanged and failed before (not for lack of permission) -> `seen` (unless retryFailed)
 * 2. empty or over the byte limit                             -> `failed` (nothing read)
 * 3. read + sha256; a content already complete                -> `ok` (no decode: rename, touch,
 *    duplicate); a content being decoded for another path     -> that outcome
 * 4. otherwise decode                                         -> `decoded` or `failed`
 */
import { readFile } from 'node:fs/promises';
import type { PendingItem } from './batch-writer';
import type { Catalogue, FileIdentity } from './catalogue';
import { decodeImage, type DecodeOptions } from './decode';
import { cancelledError, describeFsError, sha256 } from './fsutil';
import type { FailureKind } from './types';
import type { WalkFile } from './walk';

export interface FileProcessorOptions {
  catalogue: Catalogue;
  folderId: number;
  cacheId: number;
  decode: DecodeOptions;
  maxFileBytes: number;
  retryFailed: boolean;
  signal?: AbortSignal;
}

type Outcome = { ok: true } | { ok: false; kind: FailureKind; reason: string };

const mib = (n: number) => `${(n / 1048576).toFixed(0)} MiB`;

/**
 * Returns the per-file step and a counter of files that needed reading. Per-file problems are
 * `failed` items; it throws only on cancellation or catalogue errors.
 */
export function createFileProcessor(options: FileProcessorOptions): {
  process: (file: WalkFile) => Promise<PendingItem>;
  readonly processed: number;
} {
  const { catalogue, folderId, cacheId, signal } = options;
  // Outcome per content hash decoded in this run (no pixels kept), so duplicates decode once.
  const decoding = new Map<string, Promise<Outcome>>();
  let processed = 0;

  const complete = (hash: string) => {
    const state = catalogue.contentState(hash, cacheId);
    return state.hasContent && state.slot !== null;
  };

  const process = async (file: WalkFile): Promise<PendingItem> => {
    const existing = catalogue.findImage(folderId, file.key);
    if (existing && existing.size === file.size && existing.mtimeMs === file.mtimeMs) {
      if (existing.status === 'ok' && existing.hash && complete(existing.hash)) {
        return { op: 'seen', imageId: existing.id };
      }
      const retry = options.retryFailed || existing.errorKind === 'unreadable';
      if (existing.status === 'failed' && !retry) return { op: 'seen', imageId: existing.id };
    }
    processed++;
    const id: FileIdentity = {
      folderId,
      key: file.key,
      relPath: file.relPath,
      size: file.size,
      mtimeMs: file.mtimeMs,
    };
    const failed = (
      kind: FailureKind,
      reason: string,
      hash: string | null = null,
    ): PendingItem => ({
      op: 'failed',
      file: id,
      hash,
      kind,
      reason,
    });
    if (file.size === 0) return failed('empty', 'file is empty (0 bytes)');
    if (file.size > options.maxFileBytes) {
      const limit = mib(options.maxFileBytes);
      return failed(
        'file-too-big',
        `file is ${mib(file.size)}, above the ${limit} limit: not read`,
      );
    }
    let data: Buffer;
    try {
      data = await readFile(file.absPath, { signal });
    } catch (error) {
      if (signal?.aborted) throw cancelledError('The ingest');
      return failed('unreadable', `cannot read file: ${describeFsError(error)}`);
    }
    const hash = await sha256(data);
    if (complete(hash)) return { op: 'ok', file: id, hash };
    const inFlight = decoding.get(hash);
    if (inFlight) {
      const outcome = await inFlight;
      return outcome.ok ? { op: 'ok', file: id, hash } : failed(outcome.kind, outcome.reason, hash);
    }
    const decoded = decodeImage(data, options.decode);
    decoding.set(
      hash,
      decoded.then((r): Outcome => (r.ok ? { ok: true } : r)),
    );
    const result = await decoded;
    return result.ok
      ? { op: 'decoded', file: id, hash, result }
      : failed(result.kind, result.reason, hash);
  };

  return {
    process,
    get processed() {
      return processed;
    },
  };
}
