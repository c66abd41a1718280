/**
 * A data directory holds the user's images (pixels, thumbnails) and models: it is private to its
 * user. On POSIX the directory is 0700 and everything in it 0600/0700.
 *
 * Files are created by many hands (better-sqlite3 makes the catalogue and its -wal/-shm with the
 * process umask, tfjs checkpoints are written by the engine workers, pixel caches by the
 * library), so the process that owns the data directory sets its umask to 077 once: every file
 * it and its worker children (which inherit the umask) create is private, with no mode to
 * forget at each call site. Only writers do this; readers create nothing.
 */
import { chmodSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { PRIVATE_DIR_MODE, PRIVATE_UMASK } from '../paths';

/** Creates the data directory 0700 (or tightens an existing one) and makes new files private. */
export function preparePrivateDataDir(dataDir: string, platform = process.platform): void {
  try {
    if (platform !== 'win32') process.umask(PRIVATE_UMASK);
    // Parents get the usual modes; only the data directory itself is private.
    mkdirSync(path.dirname(dataDir), { recursive: true });
    mkdirSync(dataDir, { recursive: true, mode: PRIVATE_DIR_MODE });
    if (platform !== 'win32' && (statSync(dataDir).mode & 0o777) !== PRIVATE_DIR_MODE)
      chmodSync(dataDir, PRIVATE_DIR_MODE);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`Cannot create the data directory ${dataDir}: ${reason}`, { cause: error });
  }
}
