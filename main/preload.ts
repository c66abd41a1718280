/**
 * Preload of the main window. Runs sandboxed, so it is bundled into one CommonJS file
 * (build/main/preload.cjs) that requires nothing but 'electron' (ipcRenderer, contextBridge and
 * webUtils are all among the modules a sandboxed preload may use). It exposes a single frozen
 * `window.explorer` (see bridge.ts) and never the raw ipcRenderer or webUtils.
 */
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { createBridge } from './bridge';

contextBridge.exposeInMainWorld('explorer', createBridge(ipcRenderer, webUtils));
