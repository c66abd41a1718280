/**
 * The Electron app's lifecycle, composed from the tested pieces in this folder. main.ts calls
 * {@link startShell} with the real Electron modules; tests call it with fakes.
 *
 * Order matters: the data directory (which also names the single-instance lock), the sandbox
 * switch and the privileged scheme must all be set before the app is ready, i.e. synchronously
 * while main.js is evaluated.
 */
import nodePath from 'node:path';
import type { PickFolderResult } from '../app/contract/api';
import type { ApiError } from '../app/contract/errors';
import { DATA_DIR_ENV } from '../app/paths';
import { createNativeDialogs } from './dialogs';
import { denyAllPermissions, hardenWebContents } from './hardening';
import { isTrustedSender, registerIpcHandlers } from './ipc';
import { buildMenuTemplate } from './menu';
import type { ServiceLike, ShellConfig, ShellElectron } from './ports';
import { createAppProtocolHandler } from './protocol';
import { APP_SCHEME, PRIVILEGED_SCHEMES } from './security';
import { focusWindow, openMainWindow, type WindowLike } from './window';
import { utilityProcessSpawner } from './workers';

export const PRODUCT_NAME = 'Latent Explorer';
/**
 * How long quitting waits for the core to stop training (its worker gets 10 s to checkpoint,
 * then the run is recorded as interrupted), its jobs, close the catalogue and release the lock.
 */
const DISPOSE_TIMEOUT_MS = 15_000;

/** The data directory requested with LATENT_EXPLORER_DATA_DIR, made absolute, or null. */
export function dataDirOverride(env: Readonly<Record<string, string | undefined>>): string | null {
  const value = env[DATA_DIR_ENV]?.trim();
  return value ? nodePath.resolve(value) : null;
}

export interface ShellHandle<W extends WindowLike> {
  /** False when another instance holds the lock or the data directory was unusable. */
  readonly started: boolean;
  /** Settles once the window is open (or startup failed and the app is exiting). */
  readonly ready: Promise<void>;
  windows(): W[];
  /** File > Open Folder…: native picker, then addFolder through the service. */
  openFolder(): Promise<void>;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function withTimeout(promise: Promise<void>, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`still running after ${ms} ms`)), ms);
    promise.then(resolve, reject).finally(() => clearTimeout(timer));
  });
}

export function startShell<W extends WindowLike>(
  electron: ShellElectron<W>,
  config: ShellConfig,
): ShellHandle<W> {
  const { app } = electron;
  const windows = new Set<W>();
  let service: ServiceLike | null = null;
  let unregisterIpc: () => void = () => {};
  const liveWindows = (): W[] => [...windows].filter((w) => !w.isDestroyed());
  const stopped: ShellHandle<W> = {
    started: false,
    ready: Promise.resolve(),
    windows: liveWindows,
    openFolder: async () => {},
  };

  const dataDir = dataDirOverride(config.env);
  if (dataDir !== null) {
    try {
      config.makeDir(dataDir);
      app.setPath('userData', dataDir);
      // Chromium's own data (caches, storage) follows userData by default; say so explicitly
      // so a test profile never touches the real one.
      app.setPath('sessionData', dataDir);
    } catch (error) {
      electron.showErrorBox(
        `${PRODUCT_NAME} could not start`,
        `The data folder ${dataDir} (from ${DATA_DIR_ENV}) is not usable: ${errorMessage(error)}`,
      );
      app.exit(1);
      return stopped;
    }
  }

  if (!app.requestSingleInstanceLock()) {
    // The running instance receives 'second-instance' and comes to the front.
    app.quit();
    return stopped;
  }

  app.enableSandbox();
  electron.protocol.registerSchemesAsPrivileged([...PRIVILEGED_SCHEMES]);
  app.on('web-contents-created', (_event, contents) => {
    hardenWebContents(contents, { openExternal: electron.openExternal, log: config.log });
  });

  const openWindow = (): W => {
    if (service === null) throw new Error('The core is not running.');
    const win = openMainWindow(
      { createWindow: electron.createWindow, events: service.events, log: config.log },
      {
        preloadPath: config.preloadPath,
        devTools: !app.isPackaged,
        title: PRODUCT_NAME,
        iconPath: config.iconPath,
      },
    );
    windows.add(win);
    win.once('closed', () => windows.delete(win));
    return win;
  };
  const showWindow = (): W | null => {
    if (service === null) return null;
    const existing = liveWindows()[0];
    if (existing !== undefined) {
      focusWindow(existing);
      return existing;
    }
    return openWindow();
  };

  const report = (title: string, error: ApiError): void => {
    if (error.code !== 'CANCELLED') electron.showErrorBox(title, error.message);
  };
  const openFolder = async (): Promise<void> => {
    const api = service;
    if (api === null) return;
    showWindow();
    const picked = await config.dispatch(api, 'pickFolder', undefined);
    if (!picked.ok) return report('Could not show the folder picker', picked.error);
    const folder = (picked.value as PickFolderResult | null)?.folder;
    if (typeof folder !== 'string') return;
    // addFolder is idempotent: a folder already in the library is re-ingested incrementally.
    const added = await config.dispatch(api, 'addFolder', { folder });
    if (!added.ok) report(`Could not add ${folder}`, added.error);
  };

  const onReady = (): void => {
    denyAllPermissions(electron.defaultSession());
    electron.protocol.handle(
      APP_SCHEME,
      createAppProtocolHandler({
        rootDir: config.rendererDir,
        readFile: config.readFile,
        // Asked per request: the core starts just below and stops (null) when the app quits.
        media: () => service,
        log: config.log,
      }),
    );
    const dialogs = createNativeDialogs(electron.dialog, () => liveWindows()[0] ?? null);
    // Throws (a message naming the process to stop) when serve mode or a CLI command holds the
    // data directory's writer lock: shown in the "could not start" box below.
    service = config.createService({
      dataDir: app.getPath('userData'),
      access: 'writer',
      command: `${PRODUCT_NAME} (desktop app)`,
      appVersion: app.getVersion(),
      electronVersion: config.electronVersion,
      dialogs,
      // Engine workers are utility processes: the core's child_process.fork would need
      // RunAsNode. utilityProcess.fork works only from now on (after 'ready').
      spawnWorker: utilityProcessSpawner({
        utilityProcess: electron.utilityProcess,
        workerPath: config.workerPath,
        env: config.env,
        log: config.log,
      }),
    });
    unregisterIpc = registerIpcHandlers(electron.ipcMain, {
      api: service,
      dispatch: config.dispatch,
      isTrusted: (event) =>
        isTrustedSender(
          event,
          liveWindows().map((w) => w.webContents),
        ),
      log: config.log,
    });
    app.setAboutPanelOptions({
      applicationName: PRODUCT_NAME,
      applicationVersion: app.getVersion(),
      version: config.electronVersion === null ? '' : `Electron ${config.electronVersion}`,
      copyright: 'MIT License',
    });
    electron.setApplicationMenu(
      buildMenuTemplate({
        appName: PRODUCT_NAME,
        platform: config.platform,
        isPackaged: app.isPackaged,
        onOpenFolder: () => {
          openFolder().catch((error: unknown) =>
            config.log(`Open Folder failed: ${errorMessage(error)}`),
          );
        },
        onAbout: () => app.showAboutPanel(),
      }),
    );
    openWindow();
  };

  app.on('second-instance', () => {
    showWindow();
  });
  app.on('activate', () => {
    if (liveWindows().length === 0) showWindow();
  });
  app.on('window-all-closed', () => {
    if (config.platform !== 'darwin') app.quit();
  });
  app.on('will-quit', (event) => {
    const running = service;
    if (running === null) return;
    // Hold the quit until the core has stopped its jobs and closed its files, then quit again.
    event.preventDefault();
    service = null;
    unregisterIpc();
    withTimeout(running.dispose(), DISPOSE_TIMEOUT_MS)
      .catch((error: unknown) => config.log(`Shutting down the core: ${errorMessage(error)}`))
      .finally(() => app.quit());
  });

  const ready = app
    .whenReady()
    .then(onReady)
    .catch((error: unknown) => {
      config.log(
        `Startup failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
      electron.showErrorBox(`${PRODUCT_NAME} could not start`, errorMessage(error));
      app.exit(1);
    });

  return { started: true, ready, windows: liveWindows, openFolder };
}
