/**
 * Guards applied to every WebContents the app creates (`app.on('web-contents-created')`) and to
 * the default session: no navigation away from the UI, no new windows, no <webview>, no
 * permissions. http(s) links the user clicks open in the system browser instead.
 */
import { isSafeExternalUrl } from './security';

/** The parts of an Electron navigation event the guards use. */
export interface NavigationEventLike {
  readonly url: string;
  preventDefault(): void;
}

export interface PreventableEventLike {
  preventDefault(): void;
}

export type WindowOpenDecision = { action: 'deny' };

/** The parts of Electron's WebContents that {@link hardenWebContents} touches. */
export interface HardenableContents {
  on(event: 'will-navigate', listener: (event: NavigationEventLike) => void): unknown;
  on(event: 'will-frame-navigate', listener: (event: NavigationEventLike) => void): unknown;
  on(event: 'will-redirect', listener: (event: NavigationEventLike) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: PreventableEventLike) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => WindowOpenDecision): void;
}

export interface HardeningOptions {
  /** `shell.openExternal`; called only for URLs that pass {@link isSafeExternalUrl}. */
  openExternal(url: string): Promise<void>;
  log?: (message: string) => void;
}

/**
 * Hands a URL to the system browser when it is a plain http(s) link; drops anything else.
 * Returns whether the URL was passed on.
 */
export function openExternally(url: string, options: HardeningOptions): boolean {
  if (!isSafeExternalUrl(url)) {
    options.log?.(`Refused to open ${JSON.stringify(url)} outside the app: not an http(s) URL.`);
    return false;
  }
  options.openExternal(url).catch((error: unknown) => {
    options.log?.(`Could not open ${url} in the browser: ${String(error)}`);
  });
  return true;
}

/**
 * The page is a single-page app loaded once with loadURL (programmatic loads and reloads do not
 * raise these events), so every navigation it starts itself is refused. A link the user clicks
 * (main frame only) is opened in the browser when it is http(s).
 */
export function hardenWebContents(contents: HardenableContents, options: HardeningOptions): void {
  contents.on('will-navigate', (event) => {
    event.preventDefault();
    openExternally(event.url, options);
  });
  // Sub-frames (none are allowed by the CSP, but be explicit) and redirects are refused silently.
  contents.on('will-frame-navigate', (event) => {
    event.preventDefault();
  });
  contents.on('will-redirect', (event) => {
    event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
  });
  contents.setWindowOpenHandler((details) => {
    openExternally(details.url, options);
    return { action: 'deny' };
  });
}

/** The parts of Electron's Session that {@link denyAllPermissions} uses. */
export interface PermissionSessionLike {
  setPermissionRequestHandler(
    handler: (contents: unknown, permission: string, callback: (granted: boolean) => void) => void,
  ): void;
  setPermissionCheckHandler(handler: (contents: unknown, permission: string) => boolean): void;
}

/** The UI needs no camera, notifications, geolocation, clipboard reads, HID, ...: deny them all. */
export function denyAllPermissions(session: PermissionSessionLike): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}
