import { describe, expect, it, vi } from 'vitest';
import { API_METHODS, ipcChannel } from '../../../app/contract/methods';
import { dispatch } from '../../../app/service/dispatch';
import { isTrustedSender, registerIpcHandlers, type InvokeEventLike } from '../../../main/ipc';
import { FakeIpcMain, FakeWebContents, fakeFrame, fakeService } from './fakes';

function setup() {
  const ipcMain = new FakeIpcMain();
  const service = fakeService();
  const window = new FakeWebContents();
  const trusted = [window];
  const dispose = registerIpcHandlers(ipcMain, {
    api: service,
    dispatch,
    isTrusted: (event) => isTrustedSender(event, trusted),
  });
  const fromWindow: InvokeEventLike = { sender: window, senderFrame: window.mainFrame };
  return { ipcMain, service, window, trusted, dispose, fromWindow };
}

describe('registerIpcHandlers', () => {
  it('registers exactly one handler per API method, on explorer:<method>', () => {
    const { ipcMain } = setup();
    expect([...ipcMain.handlers.keys()].sort()).toEqual(
      API_METHODS.map((m) => `explorer:${m}`).sort(),
    );
  });

  it('passes the validated argument to the service and returns its value', async () => {
    const { ipcMain, service, fromWindow } = setup();
    const result = await ipcMain.invoke(ipcChannel('addFolder'), fromWindow, {
      folder: '/photos',
    });
    expect(result).toEqual({
      ok: true,
      value: { folder: { id: 1, path: '/photos', imageCount: 3 }, processed: 3 },
    });
    expect(service.addFolder).toHaveBeenCalledTimes(1);
    expect(service.addFolder).toHaveBeenCalledWith({ folder: '/photos' });
  });

  it('forwards only the first argument', async () => {
    const { ipcMain, service, fromWindow } = setup();
    const result = await ipcMain.invoke(ipcChannel('listJobs'), fromWindow, undefined, {
      sneaky: true,
    });
    expect(result).toEqual({ ok: true, value: [] });
    expect(service.listJobs).toHaveBeenCalledWith(undefined);
  });

  it('answers BAD_REQUEST for arguments that do not match the schema, without calling the service', async () => {
    const { ipcMain, service, fromWindow } = setup();
    for (const bad of [
      undefined,
      { folder: '' },
      { folder: 42 },
      { folder: '/x', extra: 1 },
      { folder: '/x', spec: { size: 4, channels: 3, fit: 'cover', background: {} } },
      'folder',
    ]) {
      const result = await ipcMain.invoke(ipcChannel('addFolder'), fromWindow, bad);
      expect(result, JSON.stringify(bad)).toMatchObject({
        ok: false,
        error: { code: 'BAD_REQUEST' },
      });
    }
    const cancel = await ipcMain.invoke(ipcChannel('cancelJob'), fromWindow, {
      jobId: '../../etc',
    });
    expect(cancel).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    const open = await ipcMain.invoke(ipcChannel('openLibrary'), fromWindow, { folder: '/x' });
    expect(open).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    const remove = await ipcMain.invoke(ipcChannel('removeFolder'), fromWindow, { folderId: 0 });
    expect(remove).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(service.addFolder).not.toHaveBeenCalled();
    expect(service.openLibrary).not.toHaveBeenCalled();
    expect(service.removeFolder).not.toHaveBeenCalled();
    expect(service.cancelJob).not.toHaveBeenCalled();
  });

  it('answers UNAUTHORIZED to a frame showing another origin', async () => {
    const { ipcMain, service, window } = setup();
    const foreign = fakeFrame('https://evil.example/');
    // Same WebContents whose main frame navigated elsewhere.
    Object.assign(window, { mainFrame: foreign });
    const result = await ipcMain.invoke(ipcChannel('getStatus'), {
      sender: window,
      senderFrame: foreign,
    });
    expect(result).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
    expect(service.getStatus).not.toHaveBeenCalled();
  });

  it('answers UNAUTHORIZED to a sub-frame, even one on the app origin', async () => {
    const { ipcMain, service, window } = setup();
    const child = fakeFrame('app://explorer/', window.mainFrame);
    const result = await ipcMain.invoke(ipcChannel('pickFolder'), {
      sender: window,
      senderFrame: child,
    });
    expect(result).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
    expect(service.pickFolder).not.toHaveBeenCalled();
  });

  it('answers UNAUTHORIZED to WebContents that are not our window', async () => {
    const { ipcMain, service } = setup();
    const stranger = new FakeWebContents(fakeFrame('app://explorer/'));
    const result = await ipcMain.invoke(ipcChannel('listJobs'), {
      sender: stranger,
      senderFrame: stranger.mainFrame,
    });
    expect(result).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
    expect(service.listJobs).not.toHaveBeenCalled();
  });

  it('answers UNAUTHORIZED when the frame is gone (senderFrame null)', async () => {
    const { ipcMain, window } = setup();
    const result = await ipcMain.invoke(ipcChannel('getStatus'), {
      sender: window,
      senderFrame: null,
    });
    expect(result).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
  });

  it('turns a throwing dispatch into INTERNAL instead of rejecting', async () => {
    const ipcMain = new FakeIpcMain();
    registerIpcHandlers(ipcMain, {
      api: fakeService(),
      dispatch: vi.fn(async () => {
        throw new Error('boom');
      }),
      isTrusted: () => true,
    });
    const result = await ipcMain.invoke(ipcChannel('getStatus'), {
      sender: null,
      senderFrame: null,
    });
    expect(result).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
  });

  it('returns a function that removes every handler', () => {
    const { ipcMain, dispose } = setup();
    dispose();
    expect(ipcMain.handlers.size).toBe(0);
  });
});

describe('isTrustedSender', () => {
  it('accepts the main frame of a trusted window on app://explorer', () => {
    const contents = new FakeWebContents(fakeFrame('app://explorer/index.html?x#y'));
    expect(isTrustedSender({ sender: contents, senderFrame: contents.mainFrame }, [contents])).toBe(
      true,
    );
  });

  it('accepts a second wrapper of the same frame (same process and frame token)', () => {
    const contents = new FakeWebContents(fakeFrame('app://explorer/'));
    const copy = { ...contents.mainFrame };
    expect(isTrustedSender({ sender: contents, senderFrame: copy }, [contents])).toBe(true);
  });

  it('refuses a destroyed window and look-alike origins', () => {
    const contents = new FakeWebContents(fakeFrame('app://explorer/'));
    contents.destroyed = true;
    expect(isTrustedSender({ sender: contents, senderFrame: contents.mainFrame }, [contents])).toBe(
      false,
    );
    for (const url of [
      'app://explorer.evil/',
      'app://evil/',
      'file:///index.html',
      'about:blank',
    ]) {
      const other = new FakeWebContents(fakeFrame(url));
      expect(isTrustedSender({ sender: other, senderFrame: other.mainFrame }, [other]), url).toBe(
        false,
      );
    }
  });

  it('refuses a frame with a parent even if it claims the main frame identity', () => {
    const contents = new FakeWebContents(fakeFrame('app://explorer/'));
    const child = { ...contents.mainFrame, parent: contents.mainFrame };
    expect(isTrustedSender({ sender: contents, senderFrame: child }, [contents])).toBe(false);
  });

  it('refuses a top-level frame of our window that is not its main frame', () => {
    const contents = new FakeWebContents(fakeFrame('app://explorer/'));
    const other = fakeFrame('app://explorer/', null, 99);
    expect(isTrustedSender({ sender: contents, senderFrame: other }, [contents])).toBe(false);
  });
});
