/**
 * Recursive, asynchronous walk of an image folder. Yields every regular file with its stat and
 * every entry that could not be visited with a reason; it never throws for a single entry.
 *
 * - Names are handled as raw bytes, so files whose names are not valid UTF-8 are still found and
 *   can be opened (see `fsPath`).
 * - Hidden entries (a leading dot) and a few OS/NAS housekeeping folders are skipped.
 * - Directories are identified by their real path: a symlink loop, or a folder reachable twice,
 *   is visited once and reported.
 * - Symlinks follow `symlinks`: `follow` (default, like scan.ts) follows every link once;
 *   `within-root` only links whose target stays inside the folder (then every ingested file can
 *   also be served by `resolveLibraryFile`); `skip` ignores links.
 * - FIFOs, sockets and devices are reported, never opened (opening a FIFO would block).
 */
import { readdir, realpath, stat } from 'node:fs/promises';
import type { Dirent, Stats } from 'node:fs';
import { sep } from 'node:path';
import { ExplorerError } from '../contract';
import { cancelledError, describeFsError, displayPath, errnoCode, fsPath, joinKey } from './fsutil';
import type { SkipKind } from './types';

export type SymlinkPolicy = 'within-root' | 'follow' | 'skip';

export interface WalkOptions {
  signal?: AbortSignal;
  symlinks?: SymlinkPolicy;
}

export interface WalkFile {
  type: 'file';
  /** Relative path bytes, '/'-separated: the catalogue key. */
  key: Buffer;
  /** Display form of `key`. */
  relPath: string;
  /** Absolute path for `fs` (a Buffer only when the name is not valid UTF-8). */
  absPath: string | Buffer;
  size: number;
  mtimeMs: number;
}

export interface WalkProblem {
  type: 'problem';
  key: Buffer;
  relPath: string;
  kind: SkipKind;
  reason: string;
  /** True when a whole folder could not be listed: files under it must not be marked missing. */
  folder: boolean;
}

export type WalkEvent = WalkFile | WalkProblem;

/** The folder itself is gone or unreadable: nothing under it may be marked missing. */
export class FolderUnavailableError extends ExplorerError {
  constructor(
    readonly folder: string,
    detail: string,
    code: 'NOT_FOUND' | 'NOT_A_DIRECTORY' | 'PERMISSION_DENIED' = 'NOT_FOUND',
  ) {
    super(code, `Folder "${folder}" is not available: ${detail}`, { path: folder });
    this.name = 'FolderUnavailableError';
  }
}

function unavailable(root: string, error: unknown): FolderUnavailableError {
  const code = errnoCode(error);
  return new FolderUnavailableError(
    root,
    describeFsError(error),
    code === 'EACCES' || code === 'EPERM'
      ? 'PERMISSION_DENIED'
      : code === 'ENOTDIR'
        ? 'NOT_A_DIRECTORY'
        : 'NOT_FOUND',
  );
}

/** Folder names that hold generated copies rather than the user's images. */
const IGNORED_DIRS = new Set(['@eaDir', '__MACOSX', '$RECYCLE.BIN', 'System Volume Information']);
const SEP = Buffer.from(sep);
const DOT = 0x2e;

function isInsideReal(rootReal: Buffer, target: Buffer): boolean {
  if (target.equals(rootReal)) return true;
  const prefix = rootReal.subarray(-SEP.length).equals(SEP)
    ? rootReal
    : Buffer.concat([rootReal, SEP]);
  return target.length > prefix.length && target.subarray(0, prefix.length).equals(prefix);
}

/** Resolves the folder to its real path or throws FolderUnavailableError. */
export async function resolveFolder(root: string): Promise<Buffer> {
  let real: Buffer;
  let info: Stats;
  try {
    real = await realpath(root, { encoding: 'buffer' });
    info = await stat(real);
  } catch (error) {
    throw unavailable(root, error);
  }
  if (!info.isDirectory())
    throw new FolderUnavailableError(root, 'not a folder', 'NOT_A_DIRECTORY');
  return real;
}

export async function* walkFolder(
  root: string,
  options: WalkOptions = {},
): AsyncGenerator<WalkEvent> {
  const { signal } = options;
  const policy = options.symlinks ?? 'follow';
  const rootReal = await resolveFolder(root);
  const visited = new Set<string>([rootReal.toString('latin1')]);
  // Depth-first, in byte order of names, with an explicit stack (deep trees do not recurse).
  const stack: { abs: Buffer; key: Buffer }[] = [{ abs: rootReal, key: Buffer.alloc(0) }];
  let sinceCheck = 0;

  const problem = (key: Buffer, kind: SkipKind, reason: string, folder = false): WalkProblem => ({
    type: 'problem',
    key,
    relPath: displayPath(key),
    kind,
    reason,
    folder,
  });

  while (stack.length > 0) {
    if (signal?.aborted) throw cancelledError('The folder walk');
    const dir = stack.pop();
    if (!dir) break;
    let entries: Dirent<Buffer>[];
    try {
      entries = await readdir(fsPath(dir.abs), { withFileTypes: true, encoding: 'buffer' });
    } catch (error) {
      if (dir.key.length === 0) throw unavailable(root, error);
      yield problem(
        dir.key,
        'unreadable-folder',
        `cannot list folder: ${describeFsError(error)}`,
        true,
      );
      continue;
    }
    entries.sort((a, b) => Buffer.compare(a.name, b.name));
    const subdirs: { abs: Buffer; key: Buffer }[] = [];

    for (const entry of entries) {
      if (++sinceCheck >= 256) {
        sinceCheck = 0;
        if (signal?.aborted) throw cancelledError('The folder walk');
      }
      const name = entry.name;
      if (name[0] === DOT) continue;
      const abs = Buffer.concat([dir.abs, SEP, name]);
      const key = joinKey(dir.key, name);
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();

      if (entry.isSymbolicLink()) {
        if (policy === 'skip') continue;
        let target: Buffer;
        try {
          target = await realpath(fsPath(abs), { encoding: 'buffer' });
        } catch (error) {
          const code = errnoCode(error);
          if (code === 'ENOENT')
            yield problem(key, 'broken-symlink', 'symbolic link points to nothing');
          else if (code === 'ELOOP')
            yield problem(key, 'symlink-loop', `symbolic link loop: ${describeFsError(error)}`);
          else
            yield problem(
              key,
              'unreadable-entry',
              `cannot resolve symbolic link: ${describeFsError(error)}`,
            );
          continue;
        }
        if (policy === 'within-root' && !isInsideReal(rootReal, target)) {
          yield problem(
            key,
            'symlink-outside',
            'symbolic link points outside the folder (not followed)',
          );
          continue;
        }
        try {
          const info = await stat(fsPath(target));
          isDir = info.isDirectory();
          isFile = info.isFile();
        } catch (error) {
          yield problem(
            key,
            'unreadable-entry',
            `cannot read link target: ${describeFsError(error)}`,
          );
          continue;
        }
      }

      if (isDir) {
        if (IGNORED_DIRS.has(name.toString('utf8'))) continue;
        let real: Buffer;
        try {
          real = await realpath(fsPath(abs), { encoding: 'buffer' });
        } catch (error) {
          yield problem(
            key,
            'unreadable-folder',
            `cannot resolve folder: ${describeFsError(error)}`,
            true,
          );
          continue;
        }
        const id = real.toString('latin1');
        if (visited.has(id)) {
          yield problem(
            key,
            'symlink-loop',
            'folder already included through another path (symbolic link loop or alias)',
          );
          continue;
        }
        visited.add(id);
        subdirs.push({ abs, key });
        continue;
      }

      if (!isFile) {
        yield problem(key, 'not-a-file', 'not a regular file (device, FIFO or socket): not opened');
        continue;
      }

      try {
        const info = await stat(fsPath(abs));
        yield {
          type: 'file',
          key,
          relPath: displayPath(key),
          absPath: fsPath(abs),
          size: info.size,
          mtimeMs: info.mtimeMs,
        };
      } catch (error) {
        // Deleted between listing and stat: simply not there any more.
        if (errnoCode(error) === 'ENOENT') continue;
        yield problem(
          key,
          'unreadable-entry',
          `cannot read file information: ${describeFsError(error)}`,
        );
      }
    }
    for (let i = subdirs.length - 1; i >= 0; i--) {
      const sub = subdirs[i];
      if (sub) stack.push(sub);
    }
  }
}
