/**
 * The slices of Electron and of the core that the shell composes. main.ts passes the real
 * objects (the compiler checks they fit); tests pass fakes. Nothing here imports Electron at
 * run time.
 */
import type {
  BrowserWindowConstructorOptions,
  CustomScheme,
  MenuItemConstructorOptions,
} from 'electron';
import type { ExplorerApi } from '../app/contract/api';
import type { WorkerSpawner } from '../app/service/worker-port';
import type { DialogLike, NativeDialogs } from './dialogs';
import type { ServiceEventsLike } from './events';
import type { HardenableContents, PermissionSessionLike, PreventableEventLike } from './hardening';
import type { DispatchFn, IpcMainLike } from './ipc';
import type { MediaReader } from './protocol';
import type { WindowLike } from './window';
import type { UtilityProcessLike } from './workers';

export interface AboutPanelOptionsLike {
  applicationName?: string;
  applicationVersion?: string;
  version?: string;
  copyright?: string;
}

/** The parts of Electron's `app` the shell uses. */
export interface AppLike {
  readonly isPackaged: boolean;
  getName(): string;
  getVersion(): string;
  getPath(name: 'userData'): string;
  setPath(name: 'userData' | 'sessionData', path: string): void;
  requestSingleInstanceLock(): boolean;
  enableSandbox(): void;
  whenReady(): Promise<void>;
  quit(): void;
  exit(exitCode?: number): void;
  setAboutPanelOptions(options: AboutPanelOptionsLike): void;
  showAboutPanel(): void;
  on(event: 'second-instance', listener: () => void): unknown;
  on(event: 'window-all-closed', listener: () => void): unknown;
  on(event: 'activate', listener: () => void): unknown;
  on(event: 'will-quit', listener: (event: PreventableEventLike) => void): unknown;
  on(
    event: 'web-contents-created',
    listener: (event: unknown, contents: HardenableContents) => void,
  ): unknown;
}

export interface ProtocolLike {
  registerSchemesAsPrivileged(schemes: CustomScheme[]): void;
  handle(scheme: string, handler: (request: Request) => Promise<Response>): void;
}

/** Electron's modules as the shell needs them. `W` is BrowserWindow in production. */
export interface ShellElectron<W extends WindowLike> {
  app: AppLike;
  ipcMain: IpcMainLike;
  protocol: ProtocolLike;
  dialog: DialogLike<W>;
  /** Starts the engine workers (training, inference) once the app is ready. */
  utilityProcess: UtilityProcessLike;
  /** `session.defaultSession`, which exists only once the app is ready. */
  defaultSession(): PermissionSessionLike;
  createWindow(options: BrowserWindowConstructorOptions): W;
  setApplicationMenu(template: MenuItemConstructorOptions[]): void;
  showErrorBox(title: string, content: string): void;
  openExternal(url: string): Promise<void>;
}

/** Options of createExplorerService (app/service/create.ts). */
export interface ServiceOptions {
  dataDir: string;
  /** The app always writes: it takes the data directory's writer lock (see data-dir-lock.ts). */
  access: 'writer';
  /** Names the app to a CLI command the lock refuses. */
  command: string;
  appVersion: string;
  electronVersion?: string | null;
  dialogs?: NativeDialogs;
  /**
   * How the core starts its engine workers. Always given by the shell: the core's default forks
   * `process.execPath` as Node, which the RunAsNode fuse forbids in the app.
   */
  spawnWorker: WorkerSpawner;
}

/**
 * ExplorerService (app/service/create.ts) as the shell uses it: the contract, its events, and
 * `readMedia` (outside the contract) behind `app://explorer/media/...`.
 */
export interface ServiceLike extends ExplorerApi, MediaReader {
  readonly events: ServiceEventsLike;
  dispose(): Promise<void>;
}

/** Everything else the shell needs: paths, the file system, the core. */
export interface ShellConfig {
  env: Readonly<Record<string, string | undefined>>;
  platform: NodeJS.Platform;
  electronVersion: string | null;
  /** build/renderer, served as app://explorer/. */
  rendererDir: string;
  /** build/main/preload.cjs. */
  preloadPath: string;
  /** build/worker/engine-worker.js, the entry of the engine's utility processes. */
  workerPath: string;
  iconPath?: string | undefined;
  readFile(filePath: string): Promise<Uint8Array>;
  /** `fs.mkdirSync(dir, { recursive: true })`, for LATENT_EXPLORER_DATA_DIR. */
  makeDir(dir: string): void;
  createService(options: ServiceOptions): ServiceLike;
  dispatch: DispatchFn;
  log(message: string): void;
}
