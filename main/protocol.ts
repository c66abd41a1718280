/**
 * The `app://explorer/` protocol: serves the built renderer (`build/renderer/`) with the CSP
 * header. {@link resolveAppPath} is the only place a URL becomes a file path; it refuses anything
 * that could leave the folder. The handler is registered with `protocol.handle` in shell.ts.
 */
import nodePath from 'node:path';
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
 * Maps an `app://explorer/...` URL to a file inside `rootDir`, or returns null when the URL is
 * not ours or its path could leave the folder: `..` and `.` segments (also percent-encoded),
 * encoded or literal slashes and backslashes inside a segment, drive letters and other `:`,
 * empty segments (`//`), NUL and control characters, Windows device names. `/` and any path
 * ending in `/` serve that folder's `index.html`. Query and fragment are ignored.
 */
export function resolveAppPath(
  rootDir: string,
  requestUrl: string,
  pathApi: PathApi = nodePath,
): string | null {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return null;
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return null;
  if (url.username !== '' || url.password !== '') return null;
  // Judge the path as written, not as URL parsing normalised it: `/a/../b` and `/%2e%2e/b` are
  // refused rather than quietly folded. (Node's URL also leaves `app://explorer`'s path empty.)
  const rawPath = RAW_PATH.exec(requestUrl)?.[1] ?? '';
  const pathname = rawPath === '' ? '/' : rawPath;
  if (!pathname.startsWith('/')) return null;

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
export function responseHeaders(contentType: string): Record<string, string> {
  return {
    'Content-Type': contentType,
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'no-cache',
  };
}

function textResponse(status: number, text: string): Response {
  return new Response(text, { status, headers: responseHeaders('text/plain; charset=utf-8') });
}

const NOT_FOUND_CODES = new Set(['ENOENT', 'ENOTDIR', 'EISDIR', 'ENAMETOOLONG']);

export interface AppProtocolOptions {
  /** The built renderer, e.g. `<app>/build/renderer`. */
  rootDir: string;
  /** `fs.promises.readFile`; Electron's fs reads from inside app.asar too. */
  readFile(filePath: string): Promise<Uint8Array>;
  pathApi?: PathApi;
  log?: (message: string) => void;
}

/** The `protocol.handle('app', ...)` handler: GET/HEAD of files under `rootDir`, nothing else. */
export function createAppProtocolHandler(
  options: AppProtocolOptions,
): (request: Request) => Promise<Response> {
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return textResponse(405, 'Method not allowed');
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
