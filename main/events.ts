/**
 * Forwards every core event to a window as `(name, payload)` on IPC_EVENT_CHANNEL; the preload
 * fans them out to `window.explorer.on(name, cb)` listeners.
 */
import { IPC_EVENT_CHANNEL, type EventName } from '../app/contract/methods';

/** The event side of ExplorerService (app/service/create.ts). */
export interface ServiceEventsLike {
  onAny(listener: (name: EventName, payload: unknown) => void): () => void;
}

/** The parts of Electron's WebContents events are sent through. */
export interface EventTargetContents {
  isDestroyed(): boolean;
  send(channel: string, ...args: unknown[]): void;
}

/** Subscribes `contents` to every service event; returns the unsubscribe function (idempotent). */
export function forwardServiceEvents(
  events: ServiceEventsLike,
  contents: EventTargetContents,
  log?: (message: string) => void,
): () => void {
  let active = true;
  const off = events.onAny((name, payload) => {
    if (!active || contents.isDestroyed()) return;
    try {
      contents.send(IPC_EVENT_CHANNEL, name, payload);
    } catch (error) {
      // A payload that cannot be cloned is a core bug: report it, keep the other events flowing.
      log?.(`Could not forward event ${name}: ${String(error)}`);
    }
  });
  return () => {
    if (!active) return;
    active = false;
    off();
  };
}
