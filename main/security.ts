/**
 * Security constants of the Electron shell: the app:// origin the UI is served from, its
 * Content-Security-Policy, the renderer's webPreferences, and URL checks used by the navigation
 * and IPC guards. Pure data and functions: tested in plain Node (tests/unit/main).
 */
import { PAGE_CSP } from '../app/contract/page-policy';
import type { CustomScheme, WebPreferences } from 'electron';

/** The UI is served from `app://explorer/` (see protocol.ts). */
export const APP_SCHEME = 'app';
export const APP_HOST = 'explorer';
/** Serialised origin of the UI, as Chromium reports it for a registered standard scheme. */
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/`;

/**
 * `standard` gives the scheme a real origin and relative URL resolution, `secure` makes the page a
 * secure context, `supportFetchAPI` lets it fetch its own files. `corsEnabled` is deliberately
 * left unset: it would let other origins read app:// responses. No `bypassCSP`, no service
 * workers, no streaming (files and images are sent whole; there is no audio or video).
 */
export const PRIVILEGED_SCHEMES: readonly CustomScheme[] = Object.freeze([
  Object.freeze({
    scheme: APP_SCHEME,
    privileges: Object.freeze({ standard: true, secure: true, supportFetchAPI: true }),
  }),
]);

/** Sent as a header with every app:// response: the page policy serve mode sends too. */
export const CONTENT_SECURITY_POLICY = PAGE_CSP;

/**
 * The renderer's webPreferences. Node stays out of the page; the preload runs sandboxed in an
 * isolated world and exposes only `window.explorer`. `webSecurity` is left at its default (true)
 * and stated explicitly so a reviewer sees it. DevTools are available only in development.
 */
export function secureWebPreferences(options: {
  preloadPath: string;
  devTools: boolean;
}): Readonly<WebPreferences> {
  return Object.freeze({
    preload: options.preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    experimentalFeatures: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: false,
    devTools: options.devTools,
  });
}

function parseUrl(value: unknown): URL | null {
  if (typeof value !== 'string') return null;
  try {
    return new URL(value);
  } catch {
    return null;
  }
}

/**
 * True when `url` belongs to the UI's origin. Compares scheme and host explicitly: Node's URL
 * reports `origin === 'null'` for schemes it does not know, so `url.origin` cannot be used.
 */
export function isAppUrl(url: unknown): boolean {
  const parsed = parseUrl(url);
  return (
    parsed !== null &&
    parsed.protocol === `${APP_SCHEME}:` &&
    parsed.host === APP_HOST &&
    parsed.username === '' &&
    parsed.password === ''
  );
}

/**
 * True for URLs that may be handed to the operating system's browser: http(s) only, with a
 * host and without credentials. Everything else (file:, javascript:, custom schemes, smb:, ...)
 * is refused, because shell.openExternal would happily launch local programs for them.
 */
export function isSafeExternalUrl(url: unknown): boolean {
  const parsed = parseUrl(url);
  return (
    parsed !== null &&
    (parsed.protocol === 'https:' || parsed.protocol === 'http:') &&
    parsed.hostname !== '' &&
    parsed.username === '' &&
    parsed.password === ''
  );
}
