/**
 * The object the preload exposes as `window.explorer`, built from API_METHODS. Pure: it takes
 * an ipcRenderer-like object so tests run it in plain Node.
 *
 * This module is bundled into the sandboxed preload, so it imports only the dependency-free
 * method list (never the contract index, which would pull in zod) and types.
 */
import type { ExplorerBridge, Subscribe, Unsubscribe } from '../app/contract/client';
import type { ApiResult } from '../app/contract/errors';
import {
  API_METHODS,
  IPC_EVENT_CHANNEL,
  ipcChannel,
  isEventName,
  type EventName,
} from '../app/contract/methods';

type IpcListener = (event: unknown, ...args: unknown[]) => void;

/** The parts of Electron's ipcRenderer the bridge uses. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: IpcListener): unknown;
  removeListener(channel: string, listener: IpcListener): unknown;
}

/** The parts of Electron's webUtils the bridge uses (a renderer module sandboxed preloads get). */
export interface WebUtilsLike {
  getPathForFile(file: File): string;
}

export function createBridge(ipc: IpcRendererLike, webUtils: WebUtilsLike): ExplorerBridge {
  const bridge: Record<string, unknown> = {};
  for (const method of API_METHODS) {
    const channel = ipcChannel(method);
    // Exactly one argument crosses the boundary; the main process validates it.
    bridge[method] = (req?: unknown) => ipc.invoke(channel, req) as Promise<ApiResult<unknown>>;
  }

  // One IPC listener for all subscriptions (attached while there are any), fanned out here:
  // ipcRenderer is an EventEmitter and would warn past 10 listeners on one channel.
  const subscribers = new Map<EventName, Set<(payload: unknown) => void>>();
  let count = 0;
  // The IpcRendererEvent stays here: it carries `sender` (ipcRenderer itself).
  const onIpcEvent: IpcListener = (_ipcEvent, name, payload) => {
    if (!isEventName(name)) return;
    for (const callback of [...(subscribers.get(name) ?? [])]) {
      try {
        callback(payload);
      } catch (error) {
        // One failing listener must not keep the event from the others.
        console.error(`window.explorer listener for ${name} failed:`, error);
      }
    }
  };

  const on = (event: unknown, callback: unknown): Unsubscribe => {
    if (!isEventName(event)) {
      throw new TypeError(`Unknown event ${JSON.stringify(event)}.`);
    }
    if (typeof callback !== 'function') {
      throw new TypeError(`The listener for ${event} must be a function.`);
    }
    // A wrapper per subscription, so subscribing the same function twice needs two unsubscribes.
    const entry = (payload: unknown) => (callback as (payload: unknown) => void)(payload);
    let set = subscribers.get(event);
    if (!set) subscribers.set(event, (set = new Set()));
    set.add(entry);
    if (count++ === 0) ipc.on(IPC_EVENT_CHANNEL, onIpcEvent);
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      set.delete(entry);
      if (--count === 0) ipc.removeListener(IPC_EVENT_CHANNEL, onIpcEvent);
    };
  };
  // `on` checks its arguments at run time, so it satisfies the generic signature for any E.
  bridge.on = on as Subscribe;

  // A dropped file's path on disk (Electron >= 32 removed `File.path`). '' for anything without
  // one: a File built in JS, or not a File at all (getPathForFile throws for those).
  bridge.pathForFile = (file: unknown): string => {
    try {
      const filePath = webUtils.getPathForFile(file as File);
      return typeof filePath === 'string' ? filePath : '';
    } catch {
      return '';
    }
  };

  // Built from API_METHODS plus `on` and `pathForFile`, which is exactly ExplorerBridge's shape;
  // TypeScript cannot follow the loop, hence the cast.
  return Object.freeze(bridge) as ExplorerBridge;
}
