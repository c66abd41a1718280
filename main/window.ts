/**
 * The main window: secure options, the app:// page, and the core's events forwarded to it for
 * as long as it lives.
 */
import type { BrowserWindowConstructorOptions } from 'electron';
import { forwardServiceEvents, type EventTargetContents, type ServiceEventsLike } from './events';
import type { SenderContentsLike } from './ipc';
import { APP_ENTRY_URL, secureWebPreferences } from './security';

export interface RenderProcessGoneDetailsLike {
  readonly reason: string;
  readonly exitCode: number;
}

/** The parts of Electron's WebContents the shell uses for a window. */
export interface WindowContentsLike extends EventTargetContents, SenderContentsLike {
  on(
    event: 'render-process-gone',
    listener: (event: unknown, details: RenderProcessGoneDetailsLike) => void,
  ): unknown;
}

/** The parts of Electron's BrowserWindow the shell uses. */
export interface WindowLike {
  readonly webContents: WindowContentsLike;
  loadURL(url: string): Promise<void>;
  once(event: 'ready-to-show' | 'closed', listener: () => void): unknown;
  show(): void;
  focus(): void;
  restore(): void;
  isMinimized(): boolean;
  isDestroyed(): boolean;
}

export interface MainWindowOptions {
  preloadPath: string;
  /** DevTools only in development builds. */
  devTools: boolean;
  title: string;
  /** A PNG for the window/taskbar icon in development; packaged builds use the bundle's icon. */
  iconPath?: string | undefined;
}

export function mainWindowOptions(options: MainWindowOptions): BrowserWindowConstructorOptions {
  return {
    width: 1280,
    height: 820,
    minWidth: 760,
    minHeight: 520,
    title: options.title,
    // Shown on 'ready-to-show' so the user never sees an empty white frame.
    show: false,
    backgroundColor: '#14161c',
    ...(options.iconPath === undefined ? {} : { icon: options.iconPath }),
    webPreferences: secureWebPreferences({
      preloadPath: options.preloadPath,
      devTools: options.devTools,
    }),
  };
}

export interface OpenWindowDeps<W extends WindowLike> {
  createWindow(options: BrowserWindowConstructorOptions): W;
  events: ServiceEventsLike;
  log(message: string): void;
}

/**
 * Creates the window, subscribes it to the core's events (unsubscribed on 'closed') and loads
 * the UI from app://explorer/.
 */
export function openMainWindow<W extends WindowLike>(
  deps: OpenWindowDeps<W>,
  options: MainWindowOptions,
): W {
  const win = deps.createWindow(mainWindowOptions(options));
  const contents = win.webContents;
  const stopForwarding = forwardServiceEvents(deps.events, contents, deps.log);
  win.once('closed', stopForwarding);
  win.once('ready-to-show', () => win.show());
  contents.on('render-process-gone', (_event, details) => {
    deps.log(`The window's renderer stopped (${details.reason}, exit code ${details.exitCode}).`);
  });
  win.loadURL(APP_ENTRY_URL).catch((error: unknown) => {
    deps.log(`Could not load ${APP_ENTRY_URL}: ${String(error)}`);
    // Show the (empty) window anyway: a window that never appears looks like a hang.
    if (!win.isDestroyed()) win.show();
  });
  return win;
}

/** Brings a window to the front, restoring it if minimised. */
export function focusWindow(win: WindowLike): void {
  if (win.isDestroyed()) return;
  if (win.isMinimized()) win.restore();
  win.show();
  win.focus();
}
