/**
 * The serve-mode transport: `POST api/<method>` for calls and one streamed `GET api/events` for
 * events, both with the session's `Authorization: Bearer` header (serve-session.ts). The stream is
 * read with fetch(), not EventSource, which cannot send headers; it reconnects on its own. URLs
 * are relative to the page, which the server serves from `/`.
 */
import type { ExplorerEvents } from '$contract/api';
import type { Subscribe, Unsubscribe } from '$contract/client';
import { isErrorCode, type ApiResult } from '$contract/errors';
import { EVENT_NAMES, type ApiMethod, type EventName } from '$contract/methods';
import { withAuthorization } from './serve-session';
import { SseParser } from './sse-parser';

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
      credentials: 'omit',
      headers: withAuthorization({
        'Content-Type': 'application/json',
        Accept: 'application/json',
      }),
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
const KNOWN_EVENTS = new Set<string>(EVENT_NAMES);
/** Until the server says otherwise with `retry:`. */
const DEFAULT_RETRY_MS = 2000;
let connection: ConnectionState = 'connecting';
let started = false;

function setConnection(state: ConnectionState): void {
  if (state === connection) return;
  connection = state;
  for (const watcher of connectionWatchers) watcher(state);
}

function deliver(name: string, data: string): void {
  if (!KNOWN_EVENTS.has(name)) return;
  let payload: unknown;
  try {
    payload = JSON.parse(data);
  } catch (error) {
    console.error(`Latent Explorer: ignored a malformed "${name}" event: ${errorText(error)}`);
    return;
  }
  for (const listener of listeners.get(name as EventName) ?? []) listener(payload);
}

/**
 * Reads one connection of the event stream to its end. Returns false when the server refused the
 * session (401/403: it stopped or restarted with a new token), so reconnecting is pointless.
 */
async function readStream(parser: SseParser): Promise<boolean> {
  let response: Response;
  try {
    response = await fetch('api/events', {
      credentials: 'omit',
      cache: 'no-store',
      headers: withAuthorization({ Accept: 'text/event-stream' }),
    });
  } catch {
    return true;
  }
  if (response.status === 401 || response.status === 403) return false;
  if (!response.ok || !response.body) return true;
  setConnection('open');
  parser.reset();
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      for (const event of parser.push(decoder.decode(value, { stream: true }))) {
        deliver(event.event, event.data);
      }
    }
  } catch {
    // The connection dropped: reconnect below.
  }
  return true;
}

/** Opens the one event stream of the page, and reopens it after it drops. */
function ensureStream(): void {
  if (started) return;
  started = true;
  void (async () => {
    const parser = new SseParser();
    while (await readStream(parser)) {
      setConnection('reconnecting');
      await new Promise((resolve) => setTimeout(resolve, parser.retryMs ?? DEFAULT_RETRY_MS));
    }
    setConnection('closed');
  })();
}

export const httpSubscribe: Subscribe = <E extends EventName>(
  event: E,
  listener: (payload: ExplorerEvents[E]) => void,
): Unsubscribe => {
  ensureStream();
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
  ensureStream();
  connectionWatchers.add(watcher);
  watcher(connection);
  return () => {
    connectionWatchers.delete(watcher);
  };
}
