/** The composition root: builds an {@link ExplorerService} with the real core modules. */
import { openLibrary } from '../library';
import { resolveDataDir } from '../paths';
import { appVersion } from '../version';
import { acquireWriterLock, lockHolder, type DataDirAccess } from './data-dir-lock';
import { ExplorerService, type FolderDialogs } from './explorer-service';
import { preparePrivateDataDir } from './private-data-dir';
import { forkSpawner, type WorkerSpawner } from './worker-port';

export interface CreateServiceOptions {
  /** Defaults to {@link resolveDataDir} (which honours LATENT_EXPLORER_DATA_DIR). */
  dataDir?: string;
  /**
   * `writer`: this process changes the data directory. It takes the directory's writer lock
   * (throwing DataDirLockedError, code BUSY, naming the holder if another process has it), holds
   * it until dispose, recovers runs a crash left live and makes new files private.
   * `reader`: reads what is stored, writes nothing, and works beside a live writer.
   * Transports say which they are; left out, it is `writer` (the safe side: it takes the lock).
   */
  access?: 'writer' | 'reader';
  /** Names this process to one refused the lock, e.g. "latent-explorer serve". */
  command?: string;
  appVersion?: string;
  electronVersion?: string | null;
  dialogs?: FolderDialogs | null;
  /** Requested tfjs backend; defaults to LATENT_EXPLORER_BACKEND. */
  backend?: string | null;
  /** How engine workers start; Electron passes a utilityProcess spawner. */
  spawnWorker?: WorkerSpawner;
}

export function createExplorerService(options: CreateServiceOptions = {}): ExplorerService {
  const dataDir = options.dataDir ?? resolveDataDir();
  let access: DataDirAccess;
  if ((options.access ?? 'writer') === 'writer') {
    preparePrivateDataDir(dataDir);
    const lock = acquireWriterLock(dataDir, { command: options.command ?? 'latent-explorer' });
    access = { mode: 'writer', release: () => lock.release() };
  } else {
    access = { mode: 'reader', writerAlive: () => lockHolder(dataDir) !== null };
  }
  try {
    return new ExplorerService({
      appVersion: options.appVersion ?? appVersion(),
      dataDir,
      access,
      electronVersion: options.electronVersion ?? null,
      openLibrary: (dir, libraryOptions) => openLibrary(dir, libraryOptions),
      dialogs: options.dialogs ?? null,
      spawnWorker: options.spawnWorker ?? forkSpawner({ backend: options.backend ?? null }),
    });
  } catch (error) {
    if (access.mode === 'writer') access.release();
    throw error;
  }
}
