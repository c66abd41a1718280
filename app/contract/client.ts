/**
 * Builds an {@link ExplorerApi} from a transport's `invoke` function. The renderer uses it over
 * IPC (`window.explorer`) and over HTTP (serve mode); tests use it over an in-process dispatcher.
 * Errors come back as values and are rethrown here as {@link ExplorerError} with their code.
 */
import type { ExplorerApi, ExplorerEvents } from './api';
import { ExplorerError, type ApiResult } from './errors';
import { API_METHODS, type ApiMethod, type EventName } from './methods';

export type Invoke = (method: ApiMethod, req: unknown) => Promise<ApiResult<unknown>>;

export type Unsubscribe = () => void;

/** What a transport offers for events: subscribe to one event, get an unsubscribe function. */
export type Subscribe = <E extends EventName>(
  event: E,
  listener: (payload: ExplorerEvents[E]) => void,
) => Unsubscribe;

/**
 * `window.explorer` in Electron: raw results (Electron drops custom error fields) plus `on`, and
 * `pathForFile`, which turns a dropped `File` into its path on disk (browsers never reveal it).
 */
export type ExplorerBridge = {
  readonly [M in ApiMethod]: (req?: unknown) => Promise<ApiResult<unknown>>;
} & {
  readonly on: Subscribe;
  /** Electron's `webUtils.getPathForFile`; '' when the item has no path (e.g. dragged text). */
  readonly pathForFile: (file: File) => string;
};

export function createApiClient(invoke: Invoke): ExplorerApi {
  const client: Record<string, (req?: unknown) => Promise<unknown>> = {};
  for (const method of API_METHODS) {
    client[method] = async (req?: unknown) => {
      const result = await invoke(method, req);
      if (result.ok) return result.value;
      throw ExplorerError.fromApiError(result.error);
    };
  }
  // The loop above defines exactly the members of ExplorerApi (API_METHODS is checked against
  // the interface in api.ts); TypeScript cannot follow a loop, hence the cast.
  return client as unknown as ExplorerApi;
}
