/** A small typed event bus: the service publishes contract events, transports forward them. */
import type { ExplorerEvents, EventName, Unsubscribe } from '../contract';

type Listener<E extends EventName> = (payload: ExplorerEvents[E]) => void;
export type AnyListener = (name: EventName, payload: ExplorerEvents[EventName]) => void;

export class EventBus {
  private readonly listeners = new Map<EventName, Set<(payload: never) => void>>();
  private readonly anyListeners = new Set<AnyListener>();

  on<E extends EventName>(event: E, listener: Listener<E>): Unsubscribe {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener as (payload: never) => void);
    return () => {
      set.delete(listener as (payload: never) => void);
    };
  }

  /** Every event, for transports that forward all of them (IPC, server-sent events). */
  onAny(listener: AnyListener): Unsubscribe {
    this.anyListeners.add(listener);
    return () => {
      this.anyListeners.delete(listener);
    };
  }

  emit<E extends EventName>(event: E, payload: ExplorerEvents[E]): void {
    // A throwing listener (e.g. a closed window) must not stop delivery to the others.
    for (const listener of this.listeners.get(event) ?? []) {
      try {
        (listener as Listener<E>)(payload);
      } catch (error) {
        console.error(`Listener for ${event} failed:`, error);
      }
    }
    for (const listener of this.anyListeners) {
      try {
        listener(event, payload);
      } catch (error) {
        console.error(`Event forwarder for ${event} failed:`, error);
      }
    }
  }

  listenerCount(): number {
    let n = this.anyListeners.size;
    for (const set of this.listeners.values()) n += set.size;
    return n;
  }
}
