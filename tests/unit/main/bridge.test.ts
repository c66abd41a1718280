import { describe, expect, it, vi } from 'vitest';
import {
  API_METHODS,
  EVENT_NAMES,
  IPC_EVENT_CHANNEL,
  ipcChannel,
} from '../../../app/contract/methods';
import { createBridge, type IpcRendererLike, type WebUtilsLike } from '../../../main/bridge';

type Listener = (event: unknown, ...args: unknown[]) => void;

/** ipcRenderer fake: records invokes; `deliver` plays an IPC message from the main process. */
function fakeIpcRenderer() {
  const listeners = new Map<string, Listener[]>();
  const ipc = {
    invoke: vi.fn(async (channel: string, ...args: unknown[]) => ({
      ok: true,
      value: { channel, args },
    })),
    on: vi.fn((channel: string, listener: Listener) => {
      listeners.set(channel, [...(listeners.get(channel) ?? []), listener]);
    }),
    removeListener: vi.fn((channel: string, listener: Listener) => {
      listeners.set(
        channel,
        (listeners.get(channel) ?? []).filter((l) => l !== listener),
      );
    }),
    deliver(channel: string, ...args: unknown[]) {
      const ipcEvent = { sender: 'the raw ipcRenderer', ports: [] };
      for (const listener of listeners.get(channel) ?? []) listener(ipcEvent, ...args);
    },
    count: (channel: string) => listeners.get(channel)?.length ?? 0,
  };
  return ipc satisfies IpcRendererLike;
}

/** webUtils fake: files made by {@link droppedFile} have a path; anything else is not a File. */
const paths = new WeakMap<object, string>();
function droppedFile(filePath: string): File {
  const file = new File(['x'], filePath.split('/').pop() ?? 'x');
  paths.set(file, filePath);
  return file;
}
const fakeWebUtils = {
  getPathForFile: vi.fn((file: File): string => {
    if (!(file instanceof File)) throw new TypeError('Expected a File');
    return paths.get(file) ?? '';
  }),
} satisfies WebUtilsLike;

function bridgeOf(ipc: IpcRendererLike = fakeIpcRenderer()) {
  return createBridge(ipc, fakeWebUtils);
}

describe('createBridge', () => {
  it('is frozen and has exactly the API methods plus on and pathForFile', () => {
    const bridge = bridgeOf();
    expect(Object.isFrozen(bridge)).toBe(true);
    expect(Object.keys(bridge).sort()).toEqual([...API_METHODS, 'on', 'pathForFile'].sort());
    for (const key of Object.keys(bridge)) {
      expect(typeof (bridge as unknown as Record<string, unknown>)[key], key).toBe('function');
    }
    expect(() => {
      (bridge as unknown as Record<string, unknown>).invoke = () => {};
    }).toThrow(TypeError);
  });

  it('invokes explorer:<method> with the one request argument', async () => {
    const ipc = fakeIpcRenderer();
    const bridge = bridgeOf(ipc);
    for (const method of API_METHODS) {
      await bridge[method]({ probe: method });
      expect(ipc.invoke).toHaveBeenLastCalledWith(ipcChannel(method), { probe: method });
    }
    const result = await bridge.getStatus();
    expect(ipc.invoke).toHaveBeenLastCalledWith('explorer:getStatus', undefined);
    expect(result).toEqual({
      ok: true,
      value: { channel: 'explorer:getStatus', args: [undefined] },
    });
  });

  it('rejects unknown event names and non-function listeners', () => {
    const ipc = fakeIpcRenderer();
    const bridge = bridgeOf(ipc);
    const on = bridge.on as (event: unknown, listener: unknown) => () => void;
    for (const name of ['job:unknown', IPC_EVENT_CHANNEL, '', 42, undefined, 'constructor']) {
      expect(() => on(name, () => {}), String(name)).toThrow(TypeError);
    }
    expect(() => on('job:progress', 'not a function')).toThrow(TypeError);
    expect(ipc.on).not.toHaveBeenCalled();
  });

  it('delivers only the payload of the named event, never the IPC event', () => {
    const ipc = fakeIpcRenderer();
    const bridge = bridgeOf(ipc);
    const received: unknown[][] = [];
    bridge.on('job:progress', (...args: unknown[]) => received.push(args));
    ipc.deliver(IPC_EVENT_CHANNEL, 'job:progress', { done: 1 });
    ipc.deliver(IPC_EVENT_CHANNEL, 'job:finished', { done: 2 });
    ipc.deliver('explorer:other-channel', 'job:progress', { done: 3 });
    expect(received).toEqual([[{ done: 1 }]]);
  });

  it('accepts every contract event name', () => {
    const bridge = bridgeOf();
    for (const name of EVENT_NAMES) expect(typeof bridge.on(name, () => {})).toBe('function');
  });

  it('returns an unsubscribe that removes the listener (once)', () => {
    const ipc = fakeIpcRenderer();
    const bridge = bridgeOf(ipc);
    const listener = vi.fn();
    const off = bridge.on('library:changed', listener);
    expect(ipc.count(IPC_EVENT_CHANNEL)).toBe(1);
    off();
    off();
    expect(ipc.removeListener).toHaveBeenCalledTimes(1);
    expect(ipc.count(IPC_EVENT_CHANNEL)).toBe(0);
    ipc.deliver(IPC_EVENT_CHANNEL, 'library:changed', {});
    expect(listener).not.toHaveBeenCalled();
  });

  it('shares one IPC listener between subscriptions and removes it with the last one', () => {
    const ipc = fakeIpcRenderer();
    const bridge = bridgeOf(ipc);
    const a = vi.fn();
    const b = vi.fn();
    const offs = Array.from({ length: 20 }, (_, i) => bridge.on('job:progress', i % 2 ? a : b));
    expect(ipc.count(IPC_EVENT_CHANNEL)).toBe(1);
    ipc.deliver(IPC_EVENT_CHANNEL, 'job:progress', { done: 1 });
    expect(a).toHaveBeenCalledTimes(10);
    expect(b).toHaveBeenCalledTimes(10);
    offs.slice(1).forEach((off) => off());
    expect(ipc.count(IPC_EVENT_CHANNEL)).toBe(1);
    ipc.deliver(IPC_EVENT_CHANNEL, 'job:progress', { done: 2 });
    expect(b).toHaveBeenCalledTimes(11);
    expect(a).toHaveBeenCalledTimes(10);
    offs[0]?.();
    expect(ipc.count(IPC_EVENT_CHANNEL)).toBe(0);
  });

  it('keeps delivering to other listeners when one throws', () => {
    const ipc = fakeIpcRenderer();
    const bridge = bridgeOf(ipc);
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const after = vi.fn();
    bridge.on('job:finished', () => {
      throw new Error('listener bug');
    });
    bridge.on('job:finished', after);
    ipc.deliver(IPC_EVENT_CHANNEL, 'job:finished', { id: 'job-1-a' });
    expect(after).toHaveBeenCalledWith({ id: 'job-1-a' });
    expect(error).toHaveBeenCalled();
    error.mockRestore();
  });

  it('ignores messages whose event name is not in the contract', () => {
    const ipc = fakeIpcRenderer();
    const bridge = bridgeOf(ipc);
    const listener = vi.fn();
    bridge.on('job:started', listener);
    ipc.deliver(IPC_EVENT_CHANNEL, '__proto__', {});
    ipc.deliver(IPC_EVENT_CHANNEL, undefined, {});
    expect(listener).not.toHaveBeenCalled();
  });

  it("pathForFile asks webUtils for a dropped file's path, and never touches IPC", () => {
    const ipc = fakeIpcRenderer();
    const bridge = bridgeOf(ipc);
    const file = droppedFile('/home/me/photos/cat.jpg');
    expect(bridge.pathForFile(file)).toBe('/home/me/photos/cat.jpg');
    expect(fakeWebUtils.getPathForFile).toHaveBeenLastCalledWith(file);
    expect(ipc.invoke).not.toHaveBeenCalled();
  });

  it("pathForFile answers '' for a File without a path and for things that are not Files", () => {
    const bridge = bridgeOf();
    expect(bridge.pathForFile(new File(['made in JS'], 'note.txt'))).toBe('');
    const pathForFile = bridge.pathForFile as (file: unknown) => string;
    for (const notAFile of [undefined, null, 'C:\\x.png', { name: 'x.png' }, new Blob(['x'])]) {
      expect(pathForFile(notAFile), String(notAFile)).toBe('');
    }
  });
});
