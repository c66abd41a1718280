/**
 * Small file-system helpers shared by the walk and the ingest job: readable reasons for
 * errno codes, byte-exact relative path keys (names need not be UTF-8), chunked hashing that
 * keeps the event loop responsive.
 */
import { createHash } from 'node:crypto';
import { isUtf8 } from 'node:buffer';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { ExplorerError } from '../contract';

const ERRNO_TEXT: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOENT: 'no longer exists',
  ENOTDIR: 'a parent is not a folder',
  ENAMETOOLONG: 'name too long for the file system',
  ELOOP: 'too many levels of symbolic links',
  EIO: 'input/output error',
  EISDIR: 'is a folder',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in the system',
  EBUSY: 'resource busy',
  ETIMEDOUT: 'timed out',
  EINVAL: 'invalid argument',
};

export function errnoCode(error: unknown): string | undefined {
  if (error && typeof error === 'object' && 'code' in error && typeof error.code === 'string')
    return error.code;
  return undefined;
}

/** "permission denied (EACCES)" style text for a file-system error. */
export function describeFsError(error: unknown): string {
  const code = errnoCode(error);
  if (code && ERRNO_TEXT[code]) return `${ERRNO_TEXT[code]} (${code})`;
  if (error instanceof Error) return error.message;
  return String(error);
}

const SLASH = Buffer.from('/');

/** Joins relative path components (raw bytes) with '/'. */
export function joinKey(parent: Buffer, name: Buffer): Buffer {
  return parent.length === 0 ? Buffer.from(name) : Buffer.concat([parent, SLASH, name]);
}

/** Display form of a byte path: invalid UTF-8 sequences become U+FFFD. */
export function displayPath(key: Buffer): string {
  return key.toString('utf8');
}

/**
 * A path usable with `fs`: a string when every byte is valid UTF-8 (the common case), otherwise
 * the raw bytes, so names written in legacy encodings can still be opened on POSIX systems.
 */
export function fsPath(absolute: Buffer): string | Buffer {
  return isUtf8(absolute) ? absolute.toString('utf8') : absolute;
}

/** sha256 (hex) of a buffer, hashed in slices with a yield between them for large files. */
export async function sha256(data: Uint8Array, sliceBytes = 8 * 1024 * 1024): Promise<string> {
  const hash = createHash('sha256');
  for (let offset = 0; offset < data.length; offset += sliceBytes) {
    hash.update(data.subarray(offset, Math.min(data.length, offset + sliceBytes)));
    if (offset + sliceBytes < data.length) await yieldToLoop();
  }
  return hash.digest('hex');
}

/** The error a cancelled library operation rejects with (the service maps it to `cancelled`). */
export function cancelledError(what = 'The operation'): ExplorerError {
  return new ExplorerError('CANCELLED', `${what} was cancelled.`);
}
