/**
 * Safe resolution of a file requested by a UI transport (custom protocol, HTTP route) inside a
 * library folder. Everything that could reach outside the folder is refused: `..` segments,
 * absolute paths (POSIX, drive letters, UNC), backslashes, NUL bytes, percent-encoded dots or
 * separators that a second decoding could turn into traversal, and symbolic links whose target
 * lies outside the folder. The returned path is the real path (no symlinks left in it).
 */
import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { ExplorerError } from '../contract';
import { describeFsError, errnoCode } from './fsutil';

/** Unsafe requests have code PERMISSION_DENIED; safe paths that do not exist, NOT_FOUND. */
export class PathRefusedError extends ExplorerError {
  constructor(
    readonly requested: string,
    readonly reason: string,
    code: 'PERMISSION_DENIED' | 'NOT_FOUND' = 'PERMISSION_DENIED',
  ) {
    super(code, `${code === 'NOT_FOUND' ? 'Not found' : 'Refused'}: "${requested}": ${reason}`, {
      path: requested,
      reason,
    });
    this.name = 'PathRefusedError';
  }
}

/** Lexical check: is `candidate` (absolute, normalised) equal to or below `root`? */
export function isWithin(root: string, candidate: string): boolean {
  const rel = relative(root, candidate);
  return rel === '' || (!isAbsolute(rel) && rel !== '..' && !rel.startsWith(`..${sep}`));
}

/**
 * Checks a requested relative path (already URL-decoded once by the transport) and returns its
 * `/`-separated segments. Throws PathRefusedError with the reason.
 */
export function checkRelativePath(requested: string): string[] {
  const refuse = (reason: string): never => {
    throw new PathRefusedError(requested, reason);
  };
  if (typeof requested !== 'string' || requested.length === 0) refuse('empty path');
  if (requested.length > 4096) refuse('path too long');
  if (requested.includes('\0')) refuse('contains a NUL byte');
  if (requested.includes('\\')) refuse('contains a backslash');
  if (/%(2e|2f|5c|00|25)/i.test(requested))
    refuse('contains percent-encoded dots, separators or escapes');
  if (requested.startsWith('/') || /^[a-zA-Z]:/.test(requested) || isAbsolute(requested))
    refuse('absolute paths are not allowed');
  const segments = requested.split('/');
  for (const segment of segments) {
    if (segment === '..') refuse('contains a ".." segment');
    if (segment === '' || segment === '.') refuse('contains an empty or "." segment');
  }
  return segments;
}

/**
 * Resolves `requestedRelPath` inside `libraryRoot` to the real path of an existing regular file.
 * Refuses (PathRefusedError, code PERMISSION_DENIED) anything unsafe, including symlinks pointing out;
 * a safe path that does not exist fails with code `not-found`.
 */
export async function resolveLibraryFile(
  libraryRoot: string,
  requestedRelPath: string,
): Promise<string> {
  const segments = checkRelativePath(requestedRelPath);
  if (!isAbsolute(libraryRoot))
    throw new PathRefusedError(requestedRelPath, 'the library root must be absolute');
  let rootReal: string;
  try {
    rootReal = await realpath(libraryRoot);
  } catch (error) {
    throw new PathRefusedError(
      requestedRelPath,
      `library folder unavailable: ${describeFsError(error)}`,
      'NOT_FOUND',
    );
  }
  const lexical = resolve(rootReal, ...segments);
  if (!isWithin(rootReal, lexical) || lexical === rootReal) {
    throw new PathRefusedError(requestedRelPath, 'resolves outside the library');
  }
  let real: string;
  try {
    real = await realpath(lexical);
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR')
      throw new PathRefusedError(requestedRelPath, 'no such file', 'NOT_FOUND');
    throw new PathRefusedError(requestedRelPath, `cannot resolve: ${describeFsError(error)}`);
  }
  if (!isWithin(rootReal, real) || real === rootReal) {
    throw new PathRefusedError(requestedRelPath, 'a symbolic link points outside the library');
  }
  const info = await stat(real).catch((error: unknown) => {
    throw new PathRefusedError(
      requestedRelPath,
      `cannot read: ${describeFsError(error)}`,
      'NOT_FOUND',
    );
  });
  if (!info.isFile()) throw new PathRefusedError(requestedRelPath, 'not a regular file');
  return real;
}
