/**
 * Counts the images in a folder tree: the first slice of the library (issue #3 builds ingest on
 * the same walk rules). Recursive; hidden entries (dot-files) skipped; symbolic links followed
 * once, with loops detected by real path; unreadable entries recorded with the reason instead of
 * failing the scan. Cancellable through an AbortSignal; reports progress while it walks.
 */
import { opendir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { LibraryInfo, SkippedEntry } from '../contract';
import { ExplorerError } from '../contract';

/** File extensions (lower case, without the dot) we treat as images, and their format names. */
export const IMAGE_EXTENSIONS: Readonly<Record<string, string>> = {
  jpg: 'jpeg',
  jpeg: 'jpeg',
  jpe: 'jpeg',
  png: 'png',
  webp: 'webp',
  gif: 'gif',
  tif: 'tiff',
  tiff: 'tiff',
  avif: 'avif',
  bmp: 'bmp',
};

export const MAX_SKIPPED_LISTED = 200;

export function imageFormatOf(fileName: string): string | null {
  const ext = path.extname(fileName).slice(1).toLowerCase();
  return IMAGE_EXTENSIONS[ext] ?? null;
}

export interface ScanProgress {
  /** Files looked at so far (images and others). */
  filesSeen: number;
  imagesFound: number;
  currentFolder: string;
}

export interface ScanOptions {
  signal?: AbortSignal;
  onProgress?: (progress: ScanProgress) => void;
  /** Minimum milliseconds between progress callbacks (default 100). */
  progressIntervalMs?: number;
}

/** Maps an fs error to the typed error a user sees, naming the path. */
export function fsError(error: unknown, target: string): ExplorerError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return new ExplorerError('NOT_FOUND', `Folder not found: ${target}`, { path: target });
  if (code === 'ENOTDIR') return new ExplorerError('NOT_A_DIRECTORY', `Not a folder: ${target}`, { path: target });
  if (code === 'EACCES' || code === 'EPERM') {
    return new ExplorerError('PERMISSION_DENIED', `Permission denied: ${target}`, { path: target });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new ExplorerError('INTERNAL', `Cannot read ${target}: ${message}`, { path: target });
}

function reasonOf(error: unknown): string {
  const e = error as NodeJS.ErrnoException | undefined;
  if (e?.code === 'EACCES' || e?.code === 'EPERM') return 'permission denied';
  if (e?.code === 'ENOENT') return 'disappeared during the scan or is a broken link';
  if (e?.code === 'ELOOP') return 'symbolic link loop';
  return e?.message ?? String(error);
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new ExplorerError('CANCELLED', 'The scan was cancelled.');
}

export async function scanFolder(folder: string, options: ScanOptions = {}): Promise<LibraryInfo> {
  const started = Date.now();
  const root = path.resolve(folder);
  let rootStat;
  try {
    rootStat = await stat(root);
  } catch (error) {
    throw fsError(error, root);
  }
  if (!rootStat.isDirectory()) throw new ExplorerError('NOT_A_DIRECTORY', `Not a folder: ${root}`, { path: root });

  const byFormat: Record<string, number> = {};
  const skipped: SkippedEntry[] = [];
  let skippedCount = 0;
  let imageCount = 0;
  let otherFileCount = 0;
  let totalBytes = 0;
  let filesSeen = 0;
  let lastReport = 0;
  const interval = options.progressIntervalMs ?? 100;
  const visited = new Set<string>();

  const skip = (entryPath: string, reason: string): void => {
    skippedCount += 1;
    if (skipped.length < MAX_SKIPPED_LISTED) skipped.push({ path: entryPath, reason });
  };
  const report = (currentFolder: string, force = false): void => {
    const now = Date.now();
    if (!options.onProgress || (!force && now - lastReport < interval)) return;
    lastReport = now;
    options.onProgress({ filesSeen, imagesFound: imageCount, currentFolder });
  };

  // Depth-first with an explicit stack: deep trees cannot overflow the call stack.
  const stack: string[] = [root];
  while (stack.length > 0) {
    throwIfAborted(options.signal);
    const dir = stack.pop() as string;
    let real: string;
    try {
      real = await realpath(dir);
    } catch (error) {
      skip(dir, reasonOf(error));
      continue;
    }
    if (visited.has(real)) {
      if (dir !== root) skip(dir, 'symbolic link loop (folder already scanned)');
      continue;
    }
    visited.add(real);

    let handle;
    try {
      handle = await opendir(dir);
    } catch (error) {
      if (dir === root) throw fsError(error, root);
      skip(dir, reasonOf(error));
      continue;
    }
    const subdirs: string[] = [];
    try {
      for await (const entry of handle) {
        if (entry.name.startsWith('.')) continue;
        const entryPath = path.join(dir, entry.name);
        let isDir = entry.isDirectory();
        let isFile = entry.isFile();
        let size: number | null = null;
        if (entry.isSymbolicLink() || (!isDir && !isFile)) {
          try {
            const target = await stat(entryPath);
            isDir = target.isDirectory();
            isFile = target.isFile();
            size = target.size;
          } catch (error) {
            skip(entryPath, reasonOf(error));
            continue;
          }
        }
        if (isDir) {
          subdirs.push(entryPath);
          continue;
        }
        if (!isFile) continue;
        filesSeen += 1;
        const format = imageFormatOf(entry.name);
        if (format === null) {
          otherFileCount += 1;
        } else {
          if (size === null) {
            try {
              size = (await stat(entryPath)).size;
            } catch (error) {
              skip(entryPath, reasonOf(error));
              continue;
            }
          }
          imageCount += 1;
          totalBytes += size;
          byFormat[format] = (byFormat[format] ?? 0) + 1;
        }
        if (filesSeen % 256 === 0) {
          throwIfAborted(options.signal);
          report(dir);
        }
      }
    } catch (error) {
      if (error instanceof ExplorerError) throw error;
      skip(dir, `stopped reading this folder: ${reasonOf(error)}`);
    }
    // Visit subfolders in name order (the stack pops the last pushed first).
    subdirs.sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));
    stack.push(...subdirs);
    report(dir);
  }
  report(root, true);

  return {
    folder: root,
    imageCount,
    byFormat,
    totalBytes,
    otherFileCount,
    skipped,
    skippedCount,
    scannedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
  };
}
