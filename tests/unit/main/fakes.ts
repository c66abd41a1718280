/**
 * Electron-shaped fakes for the main-process tests. They implement the small interfaces of
 * main/ (ipc.ts, window.ts, hardening.ts, ports.ts), never Electron itself, so the tests run in
 * plain Node.
 */
import { PassThrough } from 'node:stream';
import { vi } from 'vitest';
import type {
  BrowserWindowConstructorOptions,
  CustomScheme,
  MenuItemConstructorOptions,
} from 'electron';
import type { ExplorerApi } from '../../../app/contract/api';
import type { MediaKind } from '../../../app/contract/media';
import type { EventName } from '../../../app/contract/methods';
import type {
  HardenableContents,
  NavigationEventLike,
  WindowOpenDecision,
} from '../../../main/hardening';
import type { FrameLike, IpcMainLike, InvokeEventLike } from '../../../main/ipc';
import type {
  AboutPanelOptionsLike,
  AppLike,
  ServiceLike,
  ShellElectron,
} from '../../../main/ports';
import type { MediaBody } from '../../../main/protocol';
import type {
  RenderProcessGoneDetailsLike,
  WindowContentsLike,
  WindowLike,
} from '../../../main/window';
import type {
  UtilityChildLike,
  UtilityForkOptions,
  UtilityProcessLike,
} from '../../../main/workers';

type Listener = (...args: never[]) => unknown;

/** A minimal EventEmitter: `on`/`once`, `emit`, and a listener count per event. */
export class Emitter {
  private readonly listeners = new Map<string, Set<Listener>>();

  on(event: string, listener: Listener): this {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener);
    return this;
  }

  once(event: string, listener: Listener): this {
    const wrapper = ((...args: never[]) => {
      this.listeners.get(event)?.delete(wrapper);
      return listener(...args);
    }) as Listener;
    return this.on(event, wrapper);
  }

  emit(event: string, ...args: unknown[]): void {
    for (const listener of [...(this.listeners.get(event) ?? [])]) {
      (listener as (...a: unknown[]) => unknown)(...args);
    }
  }

  count(event: string): number {
    return this.listeners.get(event)?.size ?? 0;
  }
}

let nextToken = 1;

export function fakeFrame(url: string, parent: FrameLike | null = null, processId = 7): FrameLike {
  return { url, parent, processId, frameToken: `token-${nextToken++}` };
}

export interface SentMessage {
  channel: string;
  args: unknown[];
}

export class FakeWebContents extends Emitter implements WindowContentsLike, HardenableContents {
  destroyed = false;
  readonly sent: SentMessage[] = [];
  windowOpenHandler: ((details: { url: string }) => WindowOpenDecision) | null = null;

  constructor(readonly mainFrame: FrameLike = fakeFrame('app://explorer/')) {
    super();
  }

  isDestroyed(): boolean {
    return this.destroyed;
  }

  send(channel: string, ...args: unknown[]): void {
    if (this.destroyed) throw new Error('Object has been destroyed');
    this.sent.push({ channel, args });
  }

  setWindowOpenHandler(handler: (details: { url: string }) => WindowOpenDecision): void {
    this.windowOpenHandler = handler;
  }

  /** Simulates a navigation event and reports whether a listener prevented it. */
  navigate(event: 'will-navigate' | 'will-frame-navigate' | 'will-redirect', url: string): boolean {
    const nav: NavigationEventLike & { prevented: boolean } = {
      url,
      prevented: false,
      preventDefault() {
        this.prevented = true;
      },
    };
    this.emit(event, nav);
    return nav.prevented;
  }

  crash(details: RenderProcessGoneDetailsLike): void {
    this.emit('render-process-gone', {}, details);
  }
}

export class FakeWindow extends Emitter implements WindowLike {
  readonly webContents: FakeWebContents;
  readonly loaded: string[] = [];
  shown = 0;
  focused = 0;
  minimized = false;
  destroyed = false;
  loadError: Error | null = null;

  constructor(readonly options: BrowserWindowConstructorOptions) {
    super();
    this.webContents = new FakeWebContents();
  }

  loadURL(url: string): Promise<void> {
    this.loaded.push(url);
    return this.loadError ? Promise.reject(this.loadError) : Promise.resolve();
  }

  show(): void {
    this.shown++;
  }

  focus(): void {
    this.focused++;
  }

  restore(): void {
    this.minimized = false;
  }

  isMinimized(): boolean {
    return this.minimized;
  }

  isDestroyed(): boolean {
    return this.destroyed;
  }

  close(): void {
    this.destroyed = true;
    this.webContents.destroyed = true;
    this.emit('closed');
  }
}

type Handler = (event: InvokeEventLike, ...args: unknown[]) => unknown;

export class FakeIpcMain implements IpcMainLike {
  readonly handlers = new Map<string, Handler>();

  handle(channel: string, listener: Handler): void {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    this.handlers.set(channel, listener);
  }

  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }

  /** What ipcRenderer.invoke(channel, ...args) from `event`'s frame would resolve to. */
  async invoke(channel: string, event: InvokeEventLike, ...args: unknown[]): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (!handler) throw new Error(`No handler registered for '${channel}'`);
    return handler(event, ...args);
  }
}

/** A fake service: vi.fn methods with plausible answers, and an event hub with onAny. */
export function fakeService() {
  const anyListeners = new Set<(name: EventName, payload: unknown) => void>();
  const service = {
    getStatus: vi.fn(async () => ({ appName: 'Latent Explorer' })),
    pickFolder: vi.fn(async () => ({ folder: '/photos' as string | null })),
    openLibrary: vi.fn(async () => ({ folders: [], formats: [] })),
    addFolder: vi.fn(async (req: { folder: string }) => ({
      folder: { id: 1, path: req.folder, imageCount: 3 },
      processed: 3,
    })),
    rescan: vi.fn(async () => []),
    removeFolder: vi.fn(async () => ({ folders: [], formats: [] })),
    listImages: vi.fn(async () => ({ total: 0, offset: 0, images: [] })),
    listProblems: vi.fn(async () => ({ total: 0, offset: 0, problems: [] })),
    openDemo: vi.fn(async () => ({ folder: { id: 2, path: '/data/demo' }, processed: 0 })),
    listJobs: vi.fn(async () => []),
    cancelJob: vi.fn(async () => ({ cancelled: true })),
    readMedia: vi.fn(async (kind: MediaKind, imageId: number): Promise<MediaBody | null> => ({
      data: new TextEncoder().encode(`${kind}:${imageId}`),
      mime: kind === 'thumb' ? 'image/webp' : 'image/jpeg',
    })),
    dispose: vi.fn(async () => {}),
    events: {
      onAny(listener: (name: EventName, payload: unknown) => void) {
        anyListeners.add(listener);
        return () => {
          anyListeners.delete(listener);
        };
      },
    },
    emit(name: EventName, payload: unknown) {
      for (const listener of [...anyListeners]) listener(name, payload);
    },
    listenerCount: () => anyListeners.size,
  };
  // The fake answers with partial DTOs: enough for the shell, which never reads them.
  return service as typeof service & ExplorerApi & ServiceLike;
}

/**
 * A forked utility process as Electron's UtilityProcess behaves in the main process: 'message'
 * carries the message itself, 'exit' a numeric code, postMessage after exit is dropped, and
 * stdout/stderr exist only with stdio 'pipe'.
 */
export class FakeUtilityChild extends Emitter implements UtilityChildLike {
  readonly posted: unknown[] = [];
  readonly stdout: PassThrough | null;
  readonly stderr: PassThrough | null;
  kills = 0;
  exited = false;

  constructor(
    readonly modulePath: string,
    readonly args: string[],
    readonly options: UtilityForkOptions,
  ) {
    super();
    this.stdout = options.stdio === 'pipe' ? new PassThrough() : null;
    this.stderr = options.stdio === 'pipe' ? new PassThrough() : null;
  }

  postMessage(message: unknown): void {
    if (this.exited) throw new Error('the fake child has exited: a port must not post any more');
    this.posted.push(message);
  }

  kill(): boolean {
    this.kills++;
    return !this.exited;
  }

  /** The worker sends a message through process.parentPort. */
  send(message: unknown): void {
    this.emit('message', message);
  }

  /** The process ends; Electron emits 'exit' once with the code. */
  exit(code: number): void {
    this.exited = true;
    this.emit('exit', code);
  }
}

export class FakeUtilityProcess implements UtilityProcessLike {
  readonly children: FakeUtilityChild[] = [];
  /** Electron throws when fork is called before the app is ready. */
  ready = true;

  fork(modulePath: string, args: string[], options: UtilityForkOptions): FakeUtilityChild {
    if (!this.ready) throw new Error('utilityProcess cannot be used before app is ready');
    const child = new FakeUtilityChild(modulePath, args, options);
    this.children.push(child);
    return child;
  }
}

export class FakeApp extends Emitter implements AppLike {
  isPackaged = false;
  readonly calls: string[] = [];
  readonly paths = new Map<string, string>([['userData', '/default/user-data']]);
  lock = true;
  aboutOptions: AboutPanelOptionsLike | null = null;
  private resolveReady: () => void = () => {};
  private readonly readyPromise = new Promise<void>((resolve) => {
    this.resolveReady = resolve;
  });

  getName(): string {
    return 'latent-explorer';
  }
  getVersion(): string {
    return '0.1.0';
  }
  getPath(name: 'userData'): string {
    return this.paths.get(name) ?? '';
  }
  setPath(name: 'userData' | 'sessionData', path: string): void {
    this.calls.push(`setPath:${name}`);
    this.paths.set(name, path);
  }
  requestSingleInstanceLock(): boolean {
    this.calls.push('requestSingleInstanceLock');
    return this.lock;
  }
  enableSandbox(): void {
    this.calls.push('enableSandbox');
  }
  whenReady(): Promise<void> {
    return this.readyPromise;
  }
  /** Emits 'ready'. */
  becomeReady(): void {
    this.calls.push('ready');
    this.resolveReady();
  }
  quit(): void {
    this.calls.push('quit');
  }
  exit(code?: number): void {
    this.calls.push(`exit:${code ?? 0}`);
  }
  setAboutPanelOptions(options: AboutPanelOptionsLike): void {
    this.aboutOptions = options;
  }
  showAboutPanel(): void {
    this.calls.push('showAboutPanel');
  }
}

export function fakeElectron() {
  const app = new FakeApp();
  const ipcMain = new FakeIpcMain();
  const utilityProcess = new FakeUtilityProcess();
  utilityProcess.ready = false;
  void app.whenReady().then(() => {
    utilityProcess.ready = true;
  });
  const windows: FakeWindow[] = [];
  const protocolHandlers = new Map<string, (request: Request) => Promise<Response>>();
  const schemes: CustomScheme[] = [];
  const permissionSession = {
    requestHandler: null as
      null | ((c: unknown, p: string, cb: (granted: boolean) => void) => void),
    checkHandler: null as null | ((c: unknown, p: string) => boolean),
    setPermissionRequestHandler(
      h: (c: unknown, p: string, cb: (granted: boolean) => void) => void,
    ) {
      this.requestHandler = h;
    },
    setPermissionCheckHandler(h: (c: unknown, p: string) => boolean) {
      this.checkHandler = h;
    },
  };
  const dialog = {
    answer: { canceled: false, filePaths: ['/photos'] },
    showOpenDialog: vi.fn(async (..._args: unknown[]) => dialog.answer),
  };
  let menu: MenuItemConstructorOptions[] | null = null;
  const electron: ShellElectron<FakeWindow> = {
    app,
    ipcMain,
    protocol: {
      registerSchemesAsPrivileged(list) {
        app.calls.push('registerSchemesAsPrivileged');
        schemes.push(...list);
      },
      handle(scheme, handler) {
        protocolHandlers.set(scheme, handler);
      },
    },
    dialog,
    utilityProcess,
    defaultSession: () => permissionSession,
    createWindow: (options) => {
      const win = new FakeWindow(options);
      windows.push(win);
      return win;
    },
    setApplicationMenu: (template) => {
      menu = template;
    },
    showErrorBox: vi.fn(),
    openExternal: vi.fn(async () => {}),
  };
  return {
    electron,
    app,
    ipcMain,
    windows,
    protocolHandlers,
    schemes,
    permissionSession,
    dialog,
    utilityProcess,
    menu: () => menu,
  };
}
