/**
 * Preload of the main window. Runs sandboxed, so it is bundled into one CommonJS file
 * (build/main/preload.cjs) that requires nothing but 'electron'. It exposes a single frozen
 * `window.explorer` (see bridge.ts) and never the raw ipcRenderer.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { createBridge } from './bridge';

contextBridge.exposeInMainWorld('explorer', createBridge(ipcRenderer));
