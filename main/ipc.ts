/**
 * IPC wiring generated from the contract: one `ipcMain.handle('explorer:<method>')` per entry of
 * API_METHODS. Each handler checks who is calling, then hands the raw argument to `dispatch`,
 * which validates it against the method's schema and returns an ApiResult (never throws).
 */
import type { ExplorerApi } from '../app/contract/api';
import type { ApiResult } from '../app/contract/errors';
import { API_METHODS, ipcChannel, type ApiMethod } from '../app/contract/methods';
import { isAppUrl } from './security';

/** The parts of Electron's WebFrameMain the sender check reads. */
export interface FrameLike {
  readonly url: string;
  readonly parent: FrameLike | null;
  readonly processId: number;
  readonly frameToken: string;
}

/** The parts of Electron's WebContents the sender check reads. */
export interface SenderContentsLike {
  readonly mainFrame: FrameLike;
  isDestroyed(): boolean;
}

/** The parts of Electron's IpcMainInvokeEvent the sender check reads. */
export interface InvokeEventLike {
  readonly sender: unknown;
  readonly senderFrame: FrameLike | null;
}

export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}

/** `dispatch` from app/service/dispatch.ts. */
export type DispatchFn = (
  api: ExplorerApi,
  method: unknown,
  req: unknown,
) => Promise<ApiResult<unknown>>;

function sameFrame(a: FrameLike, b: FrameLike): boolean {
  // Electron hands out one WebFrameMain object per frame, so identity normally decides; the
  // process id + frame token pair identifies the same frame should a second wrapper ever exist.
  return a === b || (a.processId === b.processId && a.frameToken === b.frameToken);
}

/**
 * An IPC call is trusted when it comes from the main frame (not an iframe) of one of our own
 * windows and that frame shows the UI's origin, `app://explorer`. `senderFrame` is null when the
 * frame navigated away or was destroyed before the call was handled: not trusted either.
 */
export function isTrustedSender(
  event: InvokeEventLike,
  trustedContents: Iterable<SenderContentsLike>,
): boolean {
  const frame = event.senderFrame;
  if (frame === null || frame === undefined) return false;
  if (frame.parent !== null) return false;
  for (const contents of trustedContents) {
    if (contents !== event.sender || contents.isDestroyed()) continue;
    return sameFrame(frame, contents.mainFrame) && isAppUrl(frame.url);
  }
  return false;
}

export function unauthorized(method: ApiMethod): ApiResult<never> {
  return {
    ok: false,
    error: {
      code: 'UNAUTHORIZED',
      message: `Refused ${method}: the call did not come from the Latent Explorer window.`,
    },
  };
}

export interface IpcHandlerDeps {
  api: ExplorerApi;
  dispatch: DispatchFn;
  isTrusted(event: InvokeEventLike): boolean;
  log?: (message: string) => void;
}

/**
 * Registers one handler per API method and returns a function that removes them all. Handlers
 * always resolve to an ApiResult: Electron would strip the code from a thrown error.
 */
export function registerIpcHandlers(ipcMain: IpcMainLike, deps: IpcHandlerDeps): () => void {
  const channels: string[] = [];
  for (const method of API_METHODS) {
    const channel = ipcChannel(method);
    ipcMain.handle(channel, async (event, ...args): Promise<ApiResult<unknown>> => {
      if (!deps.isTrusted(event)) {
        deps.log?.(
          `IPC ${channel} refused: untrusted sender ${event.senderFrame?.url ?? '(no frame)'}`,
        );
        return unauthorized(method);
      }
      try {
        // The bridge sends exactly one argument; anything after it is ignored, never forwarded.
        return await deps.dispatch(deps.api, method, args[0]);
      } catch (error) {
        // dispatch promises never to throw; should it, the caller still gets a result.
        return {
          ok: false,
          error: { code: 'INTERNAL', message: `${method} failed: ${String(error)}` },
        };
      }
    });
    channels.push(channel);
  }
  return () => {
    for (const channel of channels.splice(0)) ipcMain.removeHandler(channel);
  };
}
