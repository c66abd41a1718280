/** The composition root: builds an {@link ExplorerService} with the real core modules. */
import { mkdirSync } from 'node:fs';
import { ensureBackend } from '../engine/backend';
import { openLibrary } from '../library';
import { resolveDataDir } from '../paths';
import { appVersion } from '../version';
import { ExplorerService, type FolderDialogs } from './explorer-service';
import { forkSpawner, type WorkerSpawner } from './worker-port';

export interface CreateServiceOptions {
  /** Defaults to {@link resolveDataDir} (which honours LATENT_EXPLORER_DATA_DIR). */
  dataDir?: string;
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
  try {
    mkdirSync(dataDir, { recursive: true });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`Cannot create the data directory ${dataDir}: ${reason}`, { cause: error });
  }
  const backendOptions = options.backend !== undefined ? { requested: options.backend } : {};
  return new ExplorerService({
    appVersion: options.appVersion ?? appVersion(),
    dataDir,
    electronVersion: options.electronVersion ?? null,
    engine: { status: () => ensureBackend(backendOptions) },
    openLibrary: (dir) => openLibrary(dir),
    dialogs: options.dialogs ?? null,
    spawnWorker: options.spawnWorker ?? forkSpawner({ backend: options.backend ?? null }),
  });
}
