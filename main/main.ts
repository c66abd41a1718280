/**
 * Electron main process entry (bundled to build/main/main.js, ESM). Only wiring: it hands the
 * real Electron modules and the core to startShell (shell.ts), where everything is tested.
 *
 * Everything before app 'ready' happens synchronously inside startShell; there must be no
 * top-level await before it (an ESM entry point delays 'ready' only until it has evaluated).
 */
import {
  BrowserWindow,
  Menu,
  app,
  dialog,
  ipcMain,
  protocol,
  session,
  shell,
  utilityProcess,
} from 'electron';
import { existsSync, mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { PRIVATE_DIR_MODE, PRIVATE_UMASK } from '../app/paths';
import { createExplorerService } from '../app/service/create';
import { dispatch } from '../app/service/dispatch';
import { startShell } from './shell';

// Files sit next to this bundle: build/main/main.js, build/main/preload.cjs, build/renderer/,
// build/worker/engine-worker.js (all inside app.asar when packaged).
const here = (relative: string): string => fileURLToPath(new URL(relative, import.meta.url));
// The PNG icon exists in a checkout (resources/ is electron-builder's input, not packaged);
// installed builds take their icon from the package instead.
const devIcon = here('../../resources/icon.png');

// The app owns its data directory (userData: the catalogue, models and Chromium's profile), so
// everything it and its utility processes create there is private to the user. Before 'ready',
// since Chromium writes its profile early. See app/service/private-data-dir.ts.
if (process.platform !== 'win32') process.umask(PRIVATE_UMASK);

startShell<BrowserWindow>(
  {
    app,
    ipcMain,
    protocol,
    dialog,
    utilityProcess,
    defaultSession: () => session.defaultSession,
    createWindow: (options) => new BrowserWindow(options),
    setApplicationMenu: (template) => Menu.setApplicationMenu(Menu.buildFromTemplate(template)),
    showErrorBox: (title, content) => dialog.showErrorBox(title, content),
    openExternal: (url) => shell.openExternal(url),
  },
  {
    env: process.env,
    platform: process.platform,
    electronVersion: process.versions.electron ?? null,
    rendererDir: here('../renderer'),
    preloadPath: here('./preload.cjs'),
    workerPath: here('../worker/engine-worker.js'),
    iconPath: !app.isPackaged && existsSync(devIcon) ? devIcon : undefined,
    readFile: (filePath) => readFile(filePath),
    makeDir: (dir) => {
      mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
    },
    createService: createExplorerService,
    dispatch,
    log: (message) => console.error(`[latent-explorer] ${message}`),
  },
);
