/**
 * One writer per data directory. The process that changes a data directory (serve mode, the
 * desktop app, a CLI command such as ingest or train) holds its writer lock for its whole life;
 * any other process may only read. The lock is proper-lockfile's directory `writer.lock` (made
 * atomically with mkdir, its mtime refreshed while held, removed on exit even after
 * `process.exit`), and `writer.lock.json` beside it names the holder: PID, command line, host and
 * start time, so a refused process can say who to stop.
 *
 * A lock is stale, and is taken over, when its holder is a dead process on this host (checked by
 * PID, so a `kill -9` costs nothing), or when its mtime has not been refreshed for
 * {@link STALE_MS} (a holder on another host of a shared file system, or a frozen one).
 */
import { lstatSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import lockfile from 'proper-lockfile';
import { ExplorerError } from '../contract';
import { dataDirLayout, PRIVATE_FILE_MODE } from '../paths';

/** How long an unrefreshed lock stays valid (the holder refreshes it every UPDATE_MS). */
export const STALE_MS = 30_000;
const UPDATE_MS = 5_000;

export interface LockOwner {
  pid: number;
  /** What the holder is, e.g. "latent-explorer serve --port 0" or "Latent Explorer (desktop app)". */
  command: string;
  hostname: string;
  /** ISO time the lock was taken. */
  since: string;
}

export class DataDirLockedError extends ExplorerError {
  constructor(
    readonly dataDir: string,
    readonly owner: LockOwner | null,
  ) {
    super('BUSY', lockedMessage(dataDir, owner), {
      dataDir,
      ...(owner ? { pid: owner.pid, command: owner.command, since: owner.since } : {}),
    });
    this.name = 'DataDirLockedError';
  }
}

function sinceText(iso: string, now = new Date()): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  const p = (n: number) => String(n).padStart(2, '0');
  const time = `${p(at.getHours())}:${p(at.getMinutes())}`;
  return at.toDateString() === now.toDateString()
    ? time
    : `${at.getFullYear()}-${p(at.getMonth() + 1)}-${p(at.getDate())} ${time}`;
}

export function lockedMessage(dataDir: string, owner: LockOwner | null): string {
  const who = owner
    ? `${owner.command} (PID ${owner.pid}${owner.hostname !== os.hostname() ? ` on ${owner.hostname}` : ''}, since ${sinceText(owner.since)})`
    : 'another Latent Explorer process (it is still starting)';
  return `The data directory ${dataDir} is in use by ${who}. Stop it, or use another data directory (--data-dir or LATENT_EXPLORER_DATA_DIR).`;
}

/** The holder named in `writer.lock.json`, or null when it is missing or unreadable. */
export function readLockOwner(dataDir: string): LockOwner | null {
  try {
    const parsed = JSON.parse(
      readFileSync(dataDirLayout(dataDir).writerLockOwner, 'utf8'),
    ) as Partial<LockOwner>;
    if (typeof parsed.pid !== 'number' || typeof parsed.command !== 'string') return null;
    return {
      pid: parsed.pid,
      command: parsed.command,
      hostname: typeof parsed.hostname === 'string' ? parsed.hostname : '',
      since: typeof parsed.since === 'string' ? parsed.since : '',
    };
  } catch {
    return null;
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether a holder on this host is known to be dead. */
function ownerDead(owner: LockOwner | null): boolean {
  return owner !== null && owner.hostname === os.hostname() && !pidAlive(owner.pid);
}

/**
 * The live writer of a data directory, or null when there is none (no lock, or a stale one).
 * Readers use this to tell a run that is really training from one a crash left "running".
 */
export function lockHolder(dataDir: string): { owner: LockOwner | null } | null {
  const layout = dataDirLayout(dataDir);
  let mtime: number;
  try {
    mtime = statSync(layout.writerLock).mtimeMs;
  } catch {
    return null;
  }
  const owner = readLockOwner(dataDir);
  if (ownerDead(owner) || mtime < Date.now() - STALE_MS) return null;
  return { owner };
}

/**
 * How a service uses its data directory: as the writer (holding the lock; `release` gives it up)
 * or as a reader beside whichever process writes.
 */
export type DataDirAccess =
  { mode: 'writer'; release(): void } | { mode: 'reader'; writerAlive(): boolean };

export interface WriterLock {
  readonly dataDir: string;
  /** Releases the lock (idempotent). Also happens on process exit. */
  release(): void;
}

export interface AcquireOptions {
  /** Shown to a process that is refused, e.g. "latent-explorer ingest ~/Pictures". */
  command: string;
  log?: (message: string) => void;
}

/**
 * Takes the writer lock of an existing data directory, or throws {@link DataDirLockedError}
 * naming the process that holds it. Synchronous, so composition roots stay synchronous.
 */
export function acquireWriterLock(dataDir: string, options: AcquireOptions): WriterLock {
  const layout = dataDirLayout(dataDir);
  const log = options.log ?? ((message: string) => console.error(message));
  const lockOptions: lockfile.LockOptions = {
    lockfilePath: layout.writerLock,
    realpath: false,
    stale: STALE_MS,
    update: UPDATE_MS,
    onCompromised: (error) =>
      // The default throws from a timer, which would crash serve mode mid-training.
      log(`latent-explorer: the writer lock of ${dataDir} was lost: ${error.message}`),
  };
  let unlock: () => void;
  try {
    unlock = lockfile.lockSync(dataDir, lockOptions);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
    const ino = inodeOf(layout.writerLock); // Before reading its owner: see takeOver.
    const owner = readLockOwner(dataDir);
    if (!ownerDead(owner) || !takeOver(layout.writerLock, ino)) {
      throw new DataDirLockedError(dataDir, owner);
    }
    try {
      unlock = lockfile.lockSync(dataDir, lockOptions);
    } catch (again) {
      if ((again as NodeJS.ErrnoException).code !== 'ELOCKED') throw again;
      throw new DataDirLockedError(dataDir, readLockOwner(dataDir)); // Another process won.
    }
  }
  const owner: LockOwner = {
    pid: process.pid,
    command: options.command,
    hostname: os.hostname(),
    since: new Date().toISOString(),
  };
  const temp = `${layout.writerLockOwner}.${process.pid}.tmp`;
  try {
    writeFileSync(temp, `${JSON.stringify(owner, null, 2)}\n`, { mode: PRIVATE_FILE_MODE });
    renameSync(temp, layout.writerLockOwner);
  } catch (error) {
    unlock();
    throw error;
  }
  let released = false;
  return {
    dataDir,
    release: () => {
      if (released) return;
      released = true;
      if (readLockOwner(dataDir)?.pid === process.pid)
        rmSync(layout.writerLockOwner, { force: true });
      try {
        unlock();
      } catch (error) {
        // Already gone (e.g. taken over after this process froze): nothing left to release.
        log(`latent-explorer: releasing the writer lock of ${dataDir}: ${String(error)}`);
      }
    },
  };
}

function inodeOf(file: string): number | null {
  try {
    return lstatSync(file).ino;
  } catch {
    return null;
  }
}

/**
 * Moves a dead holder's lock out of the way. A rename is atomic, so of two processes taking
 * over at once only one moves it; the inode check undoes a move of a lock made meanwhile.
 */
function takeOver(lockPath: string, ino: number | null): boolean {
  if (ino === null) return true; // Released meanwhile: just try again.
  const tombstone = `${lockPath}.stale-${process.pid}-${Date.now()}`;
  try {
    renameSync(lockPath, tombstone);
  } catch {
    return true; // Someone else moved it first; the retry decides who holds it now.
  }
  if (inodeOf(tombstone) !== ino) {
    try {
      renameSync(tombstone, lockPath); // Not the dead holder's lock: put it back.
    } catch {
      // The path is taken again; leave the moved lock for its owner's refresh to notice.
    }
    return false;
  }
  rmSync(tombstone, { recursive: true, force: true });
  return true;
}
