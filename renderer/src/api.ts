/**
 * The renderer's only door to the core. In Electron the preload exposes `window.explorer`
 * (IPC); in serve mode the page talks HTTP + server-sent events to the server that served it,
 * with the token it was opened with (lib/serve-session.ts). Everything else in the renderer
 * imports `api`, `on` and `transport` from here.
 */
import type { ExplorerApi, ExplorerEvents } from '$contract/api';
import { createApiClient, type Subscribe, type Unsubscribe } from '$contract/client';
import type { EventName } from '$contract/methods';
import {
  httpInvoke,
  httpSubscribe,
  watchHttpConnection,
  type ConnectionState,
} from './lib/http-transport';
import { startServeSession } from './lib/serve-session';

export type { ConnectionState };
export type Transport = 'ipc' | 'http';

const bridge = window.explorer;

export const transport: Transport = bridge ? 'ipc' : 'http';

// Before anything renders: takes the token out of the address bar and keys the media URLs.
if (!bridge) startServeSession();

export const api: ExplorerApi = bridge
  ? createApiClient((method, req) => bridge[method](req))
  : createApiClient(httpInvoke);

export const on: Subscribe = bridge
  ? <E extends EventName>(event: E, listener: (payload: ExplorerEvents[E]) => void) =>
      bridge.on(event, listener)
  : httpSubscribe;

/**
 * The path on disk of a file or folder dropped on the window. Only Electron can tell (through
 * its preload); a browser never reveals it, so this returns null in serve mode.
 */
export function pathForDroppedFile(file: File): string | null {
  if (!bridge) return null;
  const path = bridge.pathForFile(file);
  return path === '' ? null : path;
}

/** The state of the event channel. IPC cannot drop while the window lives: always `open`. */
export function watchConnection(watcher: (state: ConnectionState) => void): Unsubscribe {
  if (bridge) {
    watcher('open');
    return () => {};
  }
  return watchHttpConnection(watcher);
}
