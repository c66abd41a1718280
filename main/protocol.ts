/**
 * The `app://explorer/` protocol: serves the built renderer (`build/renderer/`) with the CSP
 * header, and image media (`media/thumb/<id>`, `media/original/<id>`, see app/contract/media.ts)
 * from the core. {@link resolveAppPath} is the only place a URL becomes a file path; it refuses
 * anything that could leave the folder, and the whole `media/` namespace, which only
 * {@link parseMediaPath} may accept. The handler is registered with `protocol.handle` in shell.ts.
 */
import nodePath from 'node:path';
import { ExplorerError, isErrorCode, type ErrorCode } from '../app/contract/errors';
import { parseMediaPath, type MediaKind } from '../app/contract/media';
import { APP_HOST, APP_SCHEME, CONTENT_SECURITY_POLICY } from './security';

/** `path.posix` or `path.win32`: injectable so tests can check Windows rules on any OS. */
export type PathApi = Pick<typeof nodePath, 'resolve' | 'relative' | 'isAbsolute' | 'sep'>;

/** DOS device names: on Windows `<root>\CON` (with any extension) opens the console, not a file. */
const WINDOWS_DEVICE = /^(con|prn|aux|nul|conin\$|conout\$|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;
// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

function safeSegment(raw: string): string | null {
  let segment: string;
  try {
    segment = decodeURIComponent(raw);
  } catch {
    return null; // malformed percent-encoding
  }
  if (segment === '' || segment === '.' || segment === '..') return null;
  if (/[/\\:]/.test(segment) || CONTROL_CHARS.test(segment)) return null;
  if (WINDOWS_DEVICE.test(segment)) return null;
  return segment;
}

/** The path of a URL as written: after `scheme://authority`, before `?` or `#`. */
const RAW_PATH = /^[a-z][a-z0-9+.-]*:\/\/[^/?#\\]*([^?#]*)/i;

/**
 * The path of an `app://explorer/...` URL exactly as written (`/` for none), or null when the
 * URL is not ours (another scheme or host, credentials, unparsable). Paths are judged as written,
 * not as URL parsing normalised them: `/a/../b` and `/%2e%2e/b` are refused by the callers rather
 * than quietly folded. (Node's URL also leaves `app://explorer`'s path empty.)
 */
export function rawAppPath(requestUrl: string): string | null {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return null;
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return null;
  if (url.username !== '' || url.password !== '') return null;
  const rawPath = RAW_PATH.exec(requestUrl)?.[1] ?? '';
  const pathname = rawPath === '' ? '/' : rawPath;
  return pathname.startsWith('/') ? pathname : null;
}

/** First segment of the media namespace, as in MEDIA_PREFIX (`/media/`). */
const MEDIA_SEGMENT = 'media';

/**
 * True when a raw path lies in the media namespace: its first segment is `media` however it is
 * spelt (percent-encoded, any case, with the trailing dots or spaces Windows ignores), including
 * `/media` itself. Such paths are media requests or nothing: never files of the renderer.
 */
export function isMediaNamespace(rawPath: string): boolean {
  const first = rawPath.replace(/^\/+/, '').split('/')[0] ?? '';
  let decoded = first;
  try {
    decoded = decodeURIComponent(first);
  } catch {
    // Malformed escapes: judge the segment as written (resolveAppPath refuses it anyway).
  }
  return decoded.toLowerCase().replace(/[. ]+$/, '') === MEDIA_SEGMENT;
}

/**
 * Maps an `app://explorer/...` URL to a file inside `rootDir`, or returns null when the URL is
 * not ours or its path could leave the folder: `..` and `.` segments (also percent-encoded),
 * encoded or literal slashes and backslashes inside a segment, drive letters and other `:`,
 * empty segments (`//`), NUL and control characters, Windows device names. `/` and any path
 * ending in `/` serve that folder's `index.html`. Query and fragment are ignored. Paths in the
 * media namespace ({@link isMediaNamespace}) are never files.
 */
export function resolveAppPath(
  rootDir: string,
  requestUrl: string,
  pathApi: PathApi = nodePath,
): string | null {
  const pathname = rawAppPath(requestUrl);
  if (pathname === null || isMediaNamespace(pathname)) return null;

  const rawSegments = pathname.slice(1).split('/');
  if (rawSegments[rawSegments.length - 1] === '')
    rawSegments[rawSegments.length - 1] = 'index.html';
  const segments: string[] = [];
  for (const raw of rawSegments) {
    const segment = safeSegment(raw);
    if (segment === null) return null;
    segments.push(segment);
  }

  // Belt and braces: whatever the checks above missed, the result must stay inside the root.
  const root = pathApi.resolve(rootDir);
  const filePath = pathApi.resolve(root, ...segments);
  const relative = pathApi.relative(root, filePath);
  if (
    relative === '' ||
    relative === '..' ||
    relative.startsWith(`..${pathApi.sep}`) ||
    pathApi.isAbsolute(relative)
  ) {
    return null;
  }
  return filePath;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.wasm': 'application/wasm',
};

/** Content-Type by extension; module scripts need an exact JavaScript MIME type. */
export function contentTypeFor(filePath: string): string {
  return CONTENT_TYPES[nodePath.extname(filePath).toLowerCase()] ?? 'application/octet-stream';
}

/** Headers sent with every app:// response, including errors. */
export function responseHeaders(
  contentType: string,
  cacheControl = 'no-cache',
): Record<string, string> {
  return {
    'Content-Type': contentType,
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': cacheControl,
  };
}

function textResponse(status: number, text: string, cacheControl?: string): Response {
  return new Response(text, {
    status,
    headers: responseHeaders('text/plain; charset=utf-8', cacheControl),
  });
}

const NOT_FOUND_CODES = new Set(['ENOENT', 'ENOTDIR', 'EISDIR', 'ENAMETOOLONG']);

/** What `ExplorerService.readMedia` answers: the bytes and their MIME type. */
export interface MediaBody {
  data: Uint8Array;
  mime: string;
}

/** The part of the service that serves media (app/service/explorer-service.ts). */
export interface MediaReader {
  /**
   * Null when there is no such image (or no thumbnail for it); throws ExplorerError NOT_FOUND /
   * PERMISSION_DENIED for an original that is gone or lies outside the library, UNSUPPORTED for
   * one the app does not show (failed to decode, unknown format, too large).
   */
  readMedia(kind: MediaKind, imageId: number): Promise<MediaBody | null>;
}

/** As in serve mode: thumbnails may be kept for an hour; originals can change, never stored. */
export const MEDIA_CACHE_CONTROL: Readonly<Record<MediaKind, string>> = Object.freeze({
  thumb: 'private, max-age=3600',
  original: 'no-store',
});

/** Error responses of the media namespace are never cached. */
const MEDIA_ERROR_CACHE = 'no-store';

/**
 * A MIME type the page may receive for an image: `image/<subtype>`, never SVG (an SVG opened as
 * a document is active content). Anything else goes out as application/octet-stream.
 */
const SAFE_IMAGE_MIME = /^image\/[a-z0-9][a-z0-9.+-]*$/;
function mediaContentType(mime: unknown): string | null {
  if (typeof mime !== 'string') return null;
  const type = mime.trim().toLowerCase();
  return SAFE_IMAGE_MIME.test(type) && type !== 'image/svg+xml' ? type : null;
}

const MEDIA_FAILED: [number, string] = [500, 'Could not read the image'];
/**
 * Gone or outside the library, refused by the OS, or an original the app does not show (a format
 * Chromium cannot draw, too large): ordinary answers, with serve mode's statuses (HTTP_STATUS).
 */
const MEDIA_ERROR_STATUS: Partial<Record<ErrorCode, [number, string]>> = {
  NOT_FOUND: [404, 'Not found'],
  PERMISSION_DENIED: [403, 'Forbidden'],
  UNSUPPORTED: [501, 'Cannot show this image'],
};
const FS_ERROR_STATUS: Readonly<Partial<Record<string, [number, string]>>> = {
  ENOENT: [404, 'Not found'],
  ENOTDIR: [404, 'Not found'],
  EACCES: [403, 'Forbidden'],
  EPERM: [403, 'Forbidden'],
};

/** HTTP status and short text for an error thrown by readMedia. */
export function mediaErrorStatus(error: unknown): [number, string] {
  const code =
    error instanceof ExplorerError ? error.code : (error as { code?: unknown } | null)?.code;
  if (isErrorCode(code)) return MEDIA_ERROR_STATUS[code] ?? MEDIA_FAILED;
  // The service promises ExplorerErrors; a raw file-system error still gets its meaning.
  return (typeof code === 'string' ? FS_ERROR_STATUS[code] : undefined) ?? MEDIA_FAILED;
}

export interface AppProtocolOptions {
  /** The built renderer, e.g. `<app>/build/renderer`. */
  rootDir: string;
  /** `fs.promises.readFile`; Electron's fs reads from inside app.asar too. */
  readFile(filePath: string): Promise<Uint8Array>;
  /**
   * The core, asked on every media request: it starts after the handler is registered and stops
   * before the app quits (null then: 503).
   */
  media?: () => MediaReader | null;
  pathApi?: PathApi;
  log?: (message: string) => void;
}

async function serveMedia(
  options: AppProtocolOptions,
  request: Request,
  rawPath: string,
): Promise<Response> {
  // Exactly the shapes of app/contract/media.ts, judged on the raw path: no dot segments, no
  // escapes, no extra segments, a positive decimal id.
  const media = parseMediaPath(rawPath);
  if (media === null) {
    options.log?.(`app:// refused media path ${request.url}`);
    return textResponse(400, 'Bad media path', MEDIA_ERROR_CACHE);
  }
  const reader = options.media?.() ?? null;
  if (reader === null) return textResponse(503, 'The core is not running', MEDIA_ERROR_CACHE);
  let body: MediaBody | null;
  try {
    body = await reader.readMedia(media.kind, media.imageId);
  } catch (error) {
    const [status, text] = mediaErrorStatus(error);
    // Only failures nobody expected are logged: the message may name a private path.
    if (status === 500) {
      options.log?.(`app:// could not read ${media.kind} ${media.imageId}: ${String(error)}`);
    }
    return textResponse(status, text, MEDIA_ERROR_CACHE);
  }
  if (body === null) return textResponse(404, 'Not found', MEDIA_ERROR_CACHE);
  let contentType = mediaContentType(body.mime);
  if (contentType === null) {
    options.log?.(
      `app:// ${media.kind} ${media.imageId} has MIME ${String(body.mime)}: sent as bytes`,
    );
    contentType = 'application/octet-stream';
  }
  return new Response(request.method === 'HEAD' ? null : body.data, {
    status: 200,
    headers: responseHeaders(contentType, MEDIA_CACHE_CONTROL[media.kind]),
  });
}

/**
 * The `protocol.handle('app', ...)` handler: GET/HEAD of files under `rootDir` and of media from
 * the core, nothing else.
 */
export function createAppProtocolHandler(
  options: AppProtocolOptions,
): (request: Request) => Promise<Response> {
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return textResponse(405, 'Method not allowed');
    }
    const rawPath = rawAppPath(request.url);
    if (rawPath !== null && isMediaNamespace(rawPath)) {
      return serveMedia(options, request, rawPath);
    }
    const filePath = resolveAppPath(options.rootDir, request.url, options.pathApi);
    if (filePath === null) {
      options.log?.(`app:// refused ${request.url}`);
      return textResponse(404, 'Not found');
    }
    let body: Uint8Array;
    try {
      body = await options.readFile(filePath);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException | null)?.code;
      if (code !== undefined && NOT_FOUND_CODES.has(code)) return textResponse(404, 'Not found');
      options.log?.(`app:// could not read ${filePath}: ${String(error)}`);
      return textResponse(500, 'Could not read the file');
    }
    return new Response(request.method === 'HEAD' ? null : body, {
      status: 200,
      headers: responseHeaders(contentTypeFor(filePath)),
    });
  };
}
