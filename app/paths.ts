/**
 * Where Latent Explorer keeps its data. `LATENT_EXPLORER_DATA_DIR` always wins (every test sets
 * it so nothing touches a real profile); Electron passes its userData path; the CLI and serve
 * mode follow the OS convention:
 *   Linux   $XDG_DATA_HOME/latent-explorer, else ~/.local/share/latent-explorer
 *   macOS   ~/Library/Application Support/latent-explorer
 *   Windows %APPDATA%\latent-explorer
 */
import os from 'node:os';
import path from 'node:path';

export const APP_NAME = 'latent-explorer';
export const DATA_DIR_ENV = 'LATENT_EXPLORER_DATA_DIR';

export interface DataDirOptions {
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  homedir?: string;
  /** Electron's `app.getPath('userData')`, when running inside Electron. */
  electronUserData?: string | null;
}

export function resolveDataDir(options: DataDirOptions = {}): string {
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  const home = options.homedir ?? os.homedir();
  const pathApi = platform === 'win32' ? path.win32 : path.posix;
  const override = env[DATA_DIR_ENV];
  if (override !== undefined && override.trim() !== '') return pathApi.resolve(override);
  if (options.electronUserData) return options.electronUserData;
  if (platform === 'darwin') return pathApi.join(home, 'Library', 'Application Support', APP_NAME);
  if (platform === 'win32') {
    const appData = env.APPDATA ?? pathApi.join(home, 'AppData', 'Roaming');
    return pathApi.join(appData, APP_NAME);
  }
  const xdg = env.XDG_DATA_HOME;
  const base =
    xdg !== undefined && pathApi.isAbsolute(xdg) ? xdg : pathApi.join(home, '.local', 'share');
  return pathApi.join(base, APP_NAME);
}

/** What lives where inside a data directory (the one place these names are spelled). */
export interface DataDirLayout {
  root: string;
  /** The image catalogue and pixel caches (app/library). */
  library: string;
  /** Trained runs, one folder each (app/service/run-store.ts). */
  runs: string;
  /** Demo datasets written on demand. */
  demo: string;
  /** The writer lock (a directory made by proper-lockfile) and its owner's details. */
  writerLock: string;
  writerLockOwner: string;
  /** Per-folder settings as earlier versions kept them: imported into the catalogue, then removed. */
  legacyFolderSettings: string;
}

export function dataDirLayout(dataDir: string): DataDirLayout {
  return {
    root: dataDir,
    library: path.join(dataDir, 'library'),
    runs: path.join(dataDir, 'runs'),
    demo: path.join(dataDir, 'demo'),
    writerLock: path.join(dataDir, 'writer.lock'),
    writerLockOwner: path.join(dataDir, 'writer.lock.json'),
    legacyFolderSettings: path.join(dataDir, 'folder-settings.json'),
  };
}

/** Data directories and everything in them are private to their user (POSIX modes). */
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;
/** The umask of a process that owns a data directory (and of its worker children). */
export const PRIVATE_UMASK = 0o077;
