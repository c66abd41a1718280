import { describe, expect, it } from 'vitest';
import { IPC_EVENT_CHANNEL } from '../../../app/contract/methods';
import { EventBus } from '../../../app/service/event-bus';
import { forwardServiceEvents } from '../../../main/events';
import { focusWindow, mainWindowOptions, openMainWindow } from '../../../main/window';
import { FakeWebContents, FakeWindow, fakeService } from './fakes';

const progress = {
  jobId: 'job-1-a',
  kind: 'scan',
  done: 1,
  total: 2,
  unit: 'files',
  ratePerSec: 1,
  etaSec: 1,
};

describe('forwardServiceEvents', () => {
  it('sends every event as (name, payload) on the event channel', () => {
    const bus = new EventBus();
    const contents = new FakeWebContents();
    forwardServiceEvents(bus, contents);
    bus.emit('job:progress', progress as never);
    expect(contents.sent).toEqual([
      { channel: IPC_EVENT_CHANNEL, args: ['job:progress', progress] },
    ]);
  });

  it('stops after unsubscribe and removes its listener from the service', () => {
    const bus = new EventBus();
    const contents = new FakeWebContents();
    const off = forwardServiceEvents(bus, contents);
    expect(bus.listenerCount()).toBe(1);
    off();
    off(); // idempotent
    expect(bus.listenerCount()).toBe(0);
    bus.emit('job:progress', progress as never);
    expect(contents.sent).toEqual([]);
  });

  it('skips destroyed contents and survives a failing send', () => {
    const service = fakeService();
    const contents = new FakeWebContents();
    const logged: string[] = [];
    forwardServiceEvents(service.events, contents, (m) => logged.push(m));
    contents.send = () => {
      throw new Error('could not clone');
    };
    service.emit('job:started', {});
    expect(logged.join()).toContain('could not clone');
    contents.destroyed = true;
    service.emit('job:started', {});
    expect(logged).toHaveLength(1);
  });
});

describe('openMainWindow', () => {
  const options = { preloadPath: '/b/main/preload.cjs', devTools: false, title: 'Latent Explorer' };

  function open() {
    const service = fakeService();
    const created: FakeWindow[] = [];
    const logged: string[] = [];
    const win = openMainWindow(
      {
        createWindow: (o) => {
          const w = new FakeWindow(o);
          created.push(w);
          return w;
        },
        events: service.events,
        log: (m) => logged.push(m),
      },
      options,
    );
    return { service, win, created, logged };
  }

  it('creates one hidden window with the secure preferences and loads app://explorer/', () => {
    const { win, created } = open();
    expect(created).toEqual([win]);
    expect(win.options.show).toBe(false);
    expect(win.options.webPreferences).toMatchObject({
      preload: '/b/main/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      devTools: false,
    });
    expect(win.options.webPreferences?.webSecurity).not.toBe(false);
    expect(win.loaded).toEqual(['app://explorer/']);
  });

  it('shows the window once it is ready to show', () => {
    const { win } = open();
    expect(win.shown).toBe(0);
    win.emit('ready-to-show');
    expect(win.shown).toBe(1);
  });

  it('forwards events to the window and unsubscribes when it closes', () => {
    const { service, win } = open();
    expect(service.listenerCount()).toBe(1);
    service.emit('library:changed', { folders: [{ id: 1, path: '/photos' }] });
    expect(win.webContents.sent).toEqual([
      {
        channel: IPC_EVENT_CHANNEL,
        args: ['library:changed', { folders: [{ id: 1, path: '/photos' }] }],
      },
    ]);
    win.close();
    expect(service.listenerCount()).toBe(0);
    service.emit('library:changed', { folders: [] });
    expect(win.webContents.sent).toHaveLength(1);
  });

  it('logs a crashed renderer and a failed load (and still shows the window)', async () => {
    const service = fakeService();
    const logged: string[] = [];
    const win = openMainWindow(
      {
        createWindow: (o) => {
          const w = new FakeWindow(o);
          w.loadError = new Error('ERR_FILE_NOT_FOUND');
          return w;
        },
        events: service.events,
        log: (m) => logged.push(m),
      },
      options,
    );
    await new Promise((r) => setTimeout(r, 0));
    expect(logged.join()).toContain('ERR_FILE_NOT_FOUND');
    expect(win.shown).toBe(1);
    win.webContents.crash({ reason: 'oom', exitCode: 9 });
    expect(logged.join()).toContain('oom');
  });

  it('sets an icon only when given one', () => {
    expect(mainWindowOptions(options)).not.toHaveProperty('icon');
    expect(mainWindowOptions({ ...options, iconPath: '/r/icon.png' }).icon).toBe('/r/icon.png');
  });
});

describe('focusWindow', () => {
  it('restores a minimised window and focuses it', () => {
    const win = new FakeWindow({});
    win.minimized = true;
    focusWindow(win);
    expect(win.minimized).toBe(false);
    expect(win.focused).toBe(1);
  });
});
