import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { ExplorerError } from '../../../app/contract/errors';
import { API_METHODS, IPC_EVENT_CHANNEL, ipcChannel } from '../../../app/contract/methods';
import { dispatch } from '../../../app/service/dispatch';
import { createNativeDialogs } from '../../../main/dialogs';
import type { ServiceOptions, ShellConfig } from '../../../main/ports';
import { dataDirOverride, startShell } from '../../../main/shell';
import { fakeElectron, fakeService } from './fakes';

function boot(
  overrides: Partial<ShellConfig> = {},
  prepare: (fake: ReturnType<typeof fakeElectron>) => void = () => {},
) {
  const fake = fakeElectron();
  prepare(fake);
  const service = fakeService();
  const serviceOptions: ServiceOptions[] = [];
  const made: string[] = [];
  const config: ShellConfig = {
    env: {},
    platform: 'linux',
    electronVersion: '45.4.1',
    rendererDir: '/app/build/renderer',
    preloadPath: '/app/build/main/preload.cjs',
    workerPath: '/app/build/worker/engine-worker.js',
    readFile: async () => new TextEncoder().encode('<!doctype html>'),
    makeDir: (dir) => {
      made.push(dir);
    },
    createService: (options) => {
      serviceOptions.push(options);
      // Like ExplorerService: the picker is whatever dialogs the shell supplied.
      service.pickFolder.mockImplementation(async () => ({
        folder: (await options.dialogs?.pickFolder()) ?? null,
      }));
      return service;
    },
    dispatch,
    log: () => {},
    ...overrides,
  };
  const shell = startShell(fake.electron, config);
  return { ...fake, service, serviceOptions, made, shell };
}

async function bootReady(overrides: Partial<ShellConfig> = {}) {
  const booted = boot(overrides);
  booted.app.becomeReady();
  await booted.shell.ready;
  return booted;
}

describe('startShell before ready', () => {
  it('sets the sandbox, the scheme and the lock before the app is ready', () => {
    const { app, schemes, shell } = boot();
    expect(shell.started).toBe(true);
    expect(app.calls).toEqual([
      'requestSingleInstanceLock',
      'enableSandbox',
      'registerSchemesAsPrivileged',
    ]);
    expect(schemes.map((s) => s.scheme)).toEqual(['app']);
    expect(app.count('web-contents-created')).toBe(1);
  });

  it('moves userData to LATENT_EXPLORER_DATA_DIR before taking the lock', () => {
    const { app, made } = boot({ env: { LATENT_EXPLORER_DATA_DIR: 'rel/data' } });
    const expected = path.resolve('rel/data');
    expect(made).toEqual([expected]);
    expect(app.getPath('userData')).toBe(expected);
    expect(app.paths.get('sessionData')).toBe(expected);
    expect(app.calls.indexOf('setPath:userData')).toBeLessThan(
      app.calls.indexOf('requestSingleInstanceLock'),
    );
  });

  it('exits with a message when the data directory cannot be created', () => {
    const { app, electron, shell } = boot({
      env: { LATENT_EXPLORER_DATA_DIR: '/nope' },
      makeDir: () => {
        throw new Error('EACCES');
      },
    });
    expect(shell.started).toBe(false);
    expect(app.calls).toEqual(['exit:1']);
    expect(electron.showErrorBox).toHaveBeenCalledWith(
      expect.any(String),
      expect.stringContaining('EACCES'),
    );
  });

  it('quits at once, touching nothing else, when another instance holds the lock', () => {
    const createService = vi.fn(() => fakeService());
    const { app, shell, protocolHandlers } = boot({ createService }, (fake) => {
      fake.app.lock = false;
    });
    expect(shell.started).toBe(false);
    expect(app.calls).toEqual(['requestSingleInstanceLock', 'quit']);
    expect(app.count('web-contents-created')).toBe(0);
    expect(app.count('will-quit')).toBe(0);
    expect(protocolHandlers.size).toBe(0);
    expect(createService).not.toHaveBeenCalled();
  });

  it('hardens every WebContents the app creates', () => {
    const { app, electron } = boot();
    const contents = { on: vi.fn(), setWindowOpenHandler: vi.fn() };
    app.emit('web-contents-created', {}, contents);
    expect(contents.setWindowOpenHandler).toHaveBeenCalled();
    expect(contents.on.mock.calls.map((c) => c[0])).toEqual(
      expect.arrayContaining(['will-navigate', 'will-attach-webview']),
    );
    expect(electron.openExternal).not.toHaveBeenCalled();
  });
});

describe('startShell once ready', () => {
  it('denies permissions, serves app://, starts the core and opens one window', async () => {
    const { permissionSession, protocolHandlers, serviceOptions, windows, ipcMain, menu } =
      await bootReady();
    expect(permissionSession.requestHandler).not.toBeNull();
    expect(permissionSession.checkHandler?.(null, 'media')).toBe(false);
    expect([...protocolHandlers.keys()]).toEqual(['app']);
    const response = await protocolHandlers.get('app')!(new Request('app://explorer/'));
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(serviceOptions).toHaveLength(1);
    expect(serviceOptions[0]).toMatchObject({
      dataDir: '/default/user-data',
      appVersion: '0.1.0',
      electronVersion: '45.4.1',
    });
    expect(serviceOptions[0]?.dialogs).toBeDefined();
    expect(ipcMain.handlers.size).toBe(API_METHODS.length);
    expect(windows).toHaveLength(1);
    expect(windows[0]?.loaded).toEqual(['app://explorer/']);
    expect(windows[0]?.options.webPreferences).toMatchObject({
      preload: '/app/build/main/preload.cjs',
      sandbox: true,
      devTools: true,
    });
    expect(menu()).not.toBeNull();
  });

  it('gives the core a spawner that starts engine workers as utility processes', async () => {
    const log: string[] = [];
    const { serviceOptions, utilityProcess } = await bootReady({
      env: { PATH: '/usr/bin', LATENT_EXPLORER_BACKEND: 'wasm' },
      log: (message) => log.push(message),
    });
    // Nothing is forked until the core asks for a worker.
    expect(utilityProcess.children).toEqual([]);
    const spawnWorker = serviceOptions[0]!.spawnWorker;
    expect(spawnWorker).toBeTypeOf('function');

    const port = spawnWorker('model');
    const [child] = utilityProcess.children;
    expect(child?.modulePath).toBe('/app/build/worker/engine-worker.js');
    expect(child?.args).toEqual(['model']);
    expect(child?.options).toMatchObject({
      serviceName: 'Latent Explorer engine (model)',
      stdio: 'pipe',
      env: { PATH: '/usr/bin', LATENT_EXPLORER_BACKEND: 'wasm', UV_THREADPOOL_SIZE: '6' },
    });
    port.postMessage({ type: 'cancel', id: 1 });
    expect(child?.posted).toEqual([{ type: 'cancel', id: 1 }]);
    child!.stderr!.write('Error: boom\n');
    await vi.waitFor(() => expect(log).toContain('engine (model): Error: boom'));
  });

  it('answers IPC from its window and refuses other senders', async () => {
    const { ipcMain, windows, service } = await bootReady();
    const contents = windows[0]!.webContents;
    const ok = await ipcMain.invoke(ipcChannel('listJobs'), {
      sender: contents,
      senderFrame: contents.mainFrame,
    });
    expect(ok).toEqual({ ok: true, value: [] });
    const stranger = { ...contents };
    const refused = await ipcMain.invoke(ipcChannel('listJobs'), {
      sender: stranger,
      senderFrame: contents.mainFrame,
    });
    expect(refused).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
    expect(service.listJobs).toHaveBeenCalledTimes(1);
  });

  it('forwards core events to the window until it closes', async () => {
    const { windows, service } = await bootReady();
    const win = windows[0]!;
    service.emit('job:started', { id: 'job-1-a' });
    expect(win.webContents.sent).toEqual([
      { channel: IPC_EVENT_CHANNEL, args: ['job:started', { id: 'job-1-a' }] },
    ]);
    win.close();
    expect(service.listenerCount()).toBe(0);
  });

  it('focuses the existing window for a second instance instead of opening another', async () => {
    const { app, windows } = await bootReady();
    windows[0]!.minimized = true;
    app.emit('second-instance');
    expect(windows).toHaveLength(1);
    expect(windows[0]!.minimized).toBe(false);
    expect(windows[0]!.focused).toBe(1);
  });

  it('quits when the last window closes, except on macOS where activate reopens it', async () => {
    const linux = await bootReady();
    linux.windows[0]!.close();
    linux.app.emit('window-all-closed');
    expect(linux.app.calls).toContain('quit');

    const mac = await bootReady({ platform: 'darwin' });
    mac.windows[0]!.close();
    mac.app.emit('window-all-closed');
    expect(mac.app.calls).not.toContain('quit');
    mac.app.emit('activate');
    expect(mac.windows).toHaveLength(2);
    expect(mac.shell.windows()).toEqual([mac.windows[1]]);
  });

  it('disposes the core once before quitting', async () => {
    const { app, service, ipcMain } = await bootReady();
    const first = { preventDefault: vi.fn() };
    app.emit('will-quit', first);
    expect(first.preventDefault).toHaveBeenCalled();
    expect(ipcMain.handlers.size).toBe(0);
    await vi.waitFor(() => expect(app.calls).toContain('quit'));
    const second = { preventDefault: vi.fn() };
    app.emit('will-quit', second);
    expect(second.preventDefault).not.toHaveBeenCalled();
    expect(service.dispose).toHaveBeenCalledTimes(1);
  });

  it('File > Open Folder picks a folder and adds it to the library through the core', async () => {
    const { shell, service, dialog, windows, electron } = await bootReady();
    await shell.openFolder();
    expect(dialog.showOpenDialog).toHaveBeenCalledWith(
      windows[0],
      expect.objectContaining({ properties: expect.arrayContaining(['openDirectory']) }),
    );
    expect(service.addFolder).toHaveBeenCalledTimes(1);
    expect(service.addFolder).toHaveBeenCalledWith({ folder: '/photos' });
    expect(service.openLibrary).not.toHaveBeenCalled();
    expect(electron.showErrorBox).not.toHaveBeenCalled();
  });

  it('File > Open Folder does nothing more when the picker is cancelled, and reports failures', async () => {
    const { shell, service, dialog, electron } = await bootReady();
    dialog.answer = { canceled: true, filePaths: [] };
    await shell.openFolder();
    expect(service.addFolder).not.toHaveBeenCalled();
    dialog.answer = { canceled: false, filePaths: ['/gone'] };
    service.addFolder.mockRejectedValueOnce(new ExplorerError('NOT_FOUND', 'no such folder'));
    await shell.openFolder();
    expect(electron.showErrorBox).toHaveBeenCalledWith(
      'Could not add /gone',
      expect.stringContaining('no such folder'),
    );
  });

  it('File > Open Folder stays quiet when the ingest is cancelled', async () => {
    const { shell, service, electron } = await bootReady();
    service.addFolder.mockRejectedValueOnce(new ExplorerError('CANCELLED', 'cancelled'));
    await shell.openFolder();
    expect(service.addFolder).toHaveBeenCalledTimes(1);
    expect(electron.showErrorBox).not.toHaveBeenCalled();
  });

  it('serves media from the core through app://, and 503 once it has stopped', async () => {
    const { protocolHandlers, service, app } = await bootReady();
    const handler = protocolHandlers.get('app')!;
    const thumb = await handler(new Request('app://explorer/media/thumb/12'));
    expect(thumb.status).toBe(200);
    expect(thumb.headers.get('content-type')).toBe('image/webp');
    expect(thumb.headers.get('cache-control')).toBe('private, max-age=3600');
    expect(await thumb.text()).toBe('thumb:12');
    expect(service.readMedia).toHaveBeenCalledWith('thumb', 12);

    app.emit('will-quit', { preventDefault: () => {} });
    const after = await handler(new Request('app://explorer/media/original/12'));
    expect(after.status).toBe(503);
    expect(service.readMedia).toHaveBeenCalledTimes(1);
  });

  it('exits with a message when the core cannot start', async () => {
    const { app, electron } = await bootReady({
      createService: () => {
        throw new Error('better-sqlite3 was compiled against a different Node.js version');
      },
    });
    expect(app.calls).toContain('exit:1');
    expect(electron.showErrorBox).toHaveBeenCalledWith(
      expect.any(String),
      expect.stringContaining('better-sqlite3'),
    );
  });
});

describe('dataDirOverride', () => {
  it('is null unless LATENT_EXPLORER_DATA_DIR is set to something', () => {
    expect(dataDirOverride({})).toBeNull();
    expect(dataDirOverride({ LATENT_EXPLORER_DATA_DIR: '  ' })).toBeNull();
    expect(dataDirOverride({ LATENT_EXPLORER_DATA_DIR: '/tmp/x' })).toBe(path.resolve('/tmp/x'));
  });
});

describe('createNativeDialogs', () => {
  it('returns the chosen folder, or null when cancelled, parented to the window if any', async () => {
    const showOpenDialog = vi.fn(async (..._args: unknown[]) => ({
      canceled: false,
      filePaths: ['/a', '/b'],
    }));
    let parent: string | null = 'win';
    const dialogs = createNativeDialogs<string>({ showOpenDialog }, () => parent);
    expect(await dialogs.pickFolder()).toBe('/a');
    expect(showOpenDialog).toHaveBeenLastCalledWith(
      'win',
      expect.objectContaining({ properties: expect.arrayContaining(['openDirectory']) }),
    );
    parent = null;
    showOpenDialog.mockResolvedValueOnce({ canceled: true, filePaths: ['/ignored'] });
    expect(await dialogs.pickFolder()).toBeNull();
    expect(showOpenDialog.mock.lastCall?.[0]).toMatchObject({ properties: expect.any(Array) });
  });
});
