/**
 * The serve-mode transport: `POST api/<method>` for calls and one `EventSource` on `api/events`
 * for events. URLs are relative to the page, which the server serves from `/`. The session
 * cookie (set when the user opened the printed `?token=` URL) rides along automatically.
 */
import type { ExplorerEvents } from '$contract/api';
import type { Subscribe, Unsubscribe } from '$contract/client';
import { isErrorCode, type ApiResult } from '$contract/errors';
import { EVENT_NAMES, type ApiMethod, type EventName } from '$contract/methods';

export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closed';

const UNREACHABLE = 'Cannot reach the Latent Explorer server: ';

function unreachable(detail: string): ApiResult<never> {
  return { ok: false, error: { code: 'INTERNAL', message: UNREACHABLE + detail } };
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Accepts `{ ok: true, value }` and `{ ok: false, error: { code, message } }`, nothing else. */
function toApiResult(body: unknown): ApiResult<unknown> | null {
  if (typeof body !== 'object' || body === null) return null;
  const result = body as { ok?: unknown; value?: unknown; error?: unknown };
  if (result.ok === true) return { ok: true, value: result.value };
  if (result.ok !== false || typeof result.error !== 'object' || result.error === null) return null;
  const error = result.error as { code?: unknown; message?: unknown; details?: unknown };
  if (typeof error.message !== 'string') return null;
  const details =
    typeof error.details === 'object' && error.details !== null
      ? (error.details as Record<string, unknown>)
      : undefined;
  // A code this build does not know (a newer server) still shows its message.
  const code = isErrorCode(error.code) ? error.code : 'INTERNAL';
  return { ok: false, error: { code, message: error.message, ...(details ? { details } : {}) } };
}

export async function httpInvoke(method: ApiMethod, req: unknown): Promise<ApiResult<unknown>> {
  let response: Response;
  try {
    response = await fetch(`api/${method}`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(req ?? {}),
    });
  } catch (error) {
    return unreachable(errorText(error));
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    return unreachable(`the answer to ${method} was not JSON (HTTP ${response.status}).`);
  }
  return (
    toApiResult(body) ??
    unreachable(`the answer to ${method} was not an API result (HTTP ${response.status}).`)
  );
}

type AnyListener = (payload: unknown) => void;

const listeners = new Map<EventName, Set<AnyListener>>();
const connectionWatchers = new Set<(state: ConnectionState) => void>();
let connection: ConnectionState = 'connecting';
let source: EventSource | null = null;

function setConnection(state: ConnectionState): void {
  if (state === connection) return;
  connection = state;
  for (const watcher of connectionWatchers) watcher(state);
}

function dispatch(name: EventName, event: MessageEvent): void {
  let payload: unknown;
  try {
    payload = JSON.parse(String(event.data));
  } catch (error) {
    console.error(`Latent Explorer: ignored a malformed "${name}" event: ${errorText(error)}`);
    return;
  }
  for (const listener of listeners.get(name) ?? []) listener(payload);
}

/** Opens the one event stream of the page; the browser reconnects it after network errors. */
function ensureSource(): EventSource {
  if (source) return source;
  const stream = new EventSource('api/events');
  for (const name of EVENT_NAMES) {
    stream.addEventListener(name, (event) => dispatch(name, event));
  }
  stream.addEventListener('open', () => setConnection('open'));
  stream.addEventListener('error', () => {
    // CLOSED means the browser gave up (e.g. 401 after the server restarted with a new token).
    setConnection(stream.readyState === EventSource.CLOSED ? 'closed' : 'reconnecting');
  });
  source = stream;
  return stream;
}

export const httpSubscribe: Subscribe = <E extends EventName>(
  event: E,
  listener: (payload: ExplorerEvents[E]) => void,
): Unsubscribe => {
  ensureSource();
  let set = listeners.get(event);
  if (!set) {
    set = new Set();
    listeners.set(event, set);
  }
  // Payloads are typed by the contract; the server is the one that produces them.
  const untyped = listener as AnyListener;
  set.add(untyped);
  return () => {
    set.delete(untyped);
  };
};

/** Calls `watcher` with the event stream's state now and on every change. */
export function watchHttpConnection(watcher: (state: ConnectionState) => void): Unsubscribe {
  ensureSource();
  connectionWatchers.add(watcher);
  watcher(connection);
  return () => {
    connectionWatchers.delete(watcher);
  };
}
