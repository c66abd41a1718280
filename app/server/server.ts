/**
 * Serve mode: the contract over HTTP. `POST /api/<method>` with a JSON body returns an ApiResult;
 * `GET /api/events` streams every contract event as server-sent events; everything else serves the
 * built renderer. Bound to 127.0.0.1 unless told otherwise; every request needs the run's token.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  ExplorerError,
  HTTP_STATUS,
  MEDIA_PREFIX,
  PAGE_CSP,
  parseMediaPath,
  type ApiError,
  type MediaKind,
  type ApiResult,
  type ExplorerApi,
  type Unsubscribe,
} from '../contract';
import { dispatch } from '../service/dispatch';
import type { AnyListener } from '../service/event-bus';
import { cookieName, generateToken, hostAllowed, tokenFromRequest, tokensEqual } from './auth';
import { serveStatic } from './static-files';

export const DEFAULT_PORT = 7870;
const MAX_BODY_BYTES = 8 * 1024 * 1024;
const HEARTBEAT_MS = 15_000;

const SECURITY_HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

export interface ServerOptions {
  api: ExplorerApi;
  events: { onAny(listener: AnyListener): Unsubscribe };
  host?: string;
  port?: number;
  token?: string;
  /** Folder holding the built renderer (index.html); null serves the API only. */
  staticDir: string | null;
  /** Thumbnails and originals for `/media/...` (see app/contract/media.ts). */
  media?: {
    readMedia(kind: MediaKind, imageId: number): Promise<{ data: Uint8Array; mime: string } | null>;
  };
}

export interface RunningServer {
  /** The URL to open, token included. */
  url: string;
  origin: string;
  host: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly apiError: ApiError,
    /** Close the connection after replying (the request body was not read to its end). */
    readonly closeConnection = false,
  ) {
    super(apiError.message);
  }
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: ApiResult<unknown>,
  extra: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    ...extra,
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    'cache-control': 'no-store',
  });
  res.end(text);
}

function sendError(
  res: ServerResponse,
  status: number,
  error: ApiError,
  asJson: boolean,
  close = false,
): void {
  const extra: Record<string, string> = close ? { connection: 'close' } : {};
  if (asJson) {
    sendJson(res, status, { ok: false, error }, extra);
    return;
  }
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    ...extra,
    'content-type': 'text/plain; charset=utf-8',
    'cache-control': 'no-store',
  });
  res.end(`${error.message}\n`);
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      if (tooLarge) return; // Drained and dropped: the reply closes the connection.
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        tooLarge = true;
        chunks.length = 0;
        reject(
          new HttpError(
            413,
            {
              code: 'BAD_REQUEST',
              message: `Request body is larger than ${MAX_BODY_BYTES} bytes.`,
            },
            true,
          ),
        );
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const type = req.headers['content-type'] ?? '';
  const body = await readBody(req);
  if (body.length === 0) return undefined;
  if (!type.startsWith('application/json')) {
    throw new HttpError(415, {
      code: 'BAD_REQUEST',
      message: 'Send the request body as application/json.',
    });
  }
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new HttpError(400, {
      code: 'BAD_REQUEST',
      message: `The request body is not valid JSON: ${reason}`,
    });
  }
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const token = options.token ?? generateToken();
  const sseClients = new Set<ServerResponse>();
  let port = 0;

  const handleEvents = (req: IncomingMessage, res: ServerResponse): void => {
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write('retry: 2000\n\n');
    sseClients.add(res);
    const unsubscribe = options.events.onAny((name, payload) => {
      res.write(`event: ${name}\ndata: ${JSON.stringify(payload)}\n\n`);
    });
    const heartbeat = setInterval(() => res.write(': ping\n\n'), HEARTBEAT_MS);
    heartbeat.unref();
    req.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
      sseClients.delete(res);
    });
  };

  const serveMedia = async (
    rawPath: string,
    method: string,
    res: ServerResponse,
  ): Promise<void> => {
    const media = parseMediaPath(rawPath);
    if (media === null || !options.media) {
      throw new HttpError(400, {
        code: 'BAD_REQUEST',
        message: 'Malformed media path: expected /media/thumb/<id> or /media/original/<id>.',
      });
    }
    let file;
    try {
      file = await options.media.readMedia(media.kind, media.imageId);
    } catch (error) {
      if (error instanceof ExplorerError)
        throw new HttpError(HTTP_STATUS[error.code], error.toJSON());
      throw error;
    }
    if (file === null) {
      throw new HttpError(404, {
        code: 'NOT_FOUND',
        message: `No ${media.kind === 'thumb' ? 'thumbnail' : 'image'} with id ${media.imageId}.`,
      });
    }
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': file.mime,
      'content-length': String(file.data.byteLength),
      'cache-control': media.kind === 'thumb' ? 'private, max-age=3600' : 'no-store',
      'content-security-policy': "default-src 'none'",
    });
    res.end(method === 'HEAD' ? undefined : file.data);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://placeholder');
    const isApi = url.pathname === '/api' || url.pathname.startsWith('/api/');
    if (!hostAllowed(req.headers.host, host)) {
      sendError(
        res,
        403,
        {
          code: 'UNAUTHORIZED',
          message: `Host ${String(req.headers.host)} is not allowed; use http://127.0.0.1:${port}/.`,
        },
        isApi,
      );
      return;
    }
    const { token: given, via } = tokenFromRequest(req, url, port);
    if (!tokensEqual(token, given)) {
      sendError(
        res,
        401,
        {
          code: 'UNAUTHORIZED',
          message:
            given === null
              ? 'This Latent Explorer server needs its access token: open the URL printed by `latent-explorer serve` (it ends in ?token=...).'
              : 'Wrong access token: open the URL printed by the running `latent-explorer serve`.',
        },
        isApi,
      );
      return;
    }
    // A page opened with ?token= keeps the token in a cookie and drops it from the address bar.
    if (via === 'query' && !isApi && (req.method === 'GET' || req.method === 'HEAD')) {
      url.searchParams.delete('token');
      res.writeHead(303, {
        ...SECURITY_HEADERS,
        'set-cookie': `${cookieName(port)}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`,
        location: `${url.pathname}${url.search}`,
        'cache-control': 'no-store',
      });
      res.end();
      return;
    }

    if (isApi) {
      const method = url.pathname.slice('/api/'.length);
      if (method === 'events') {
        if (req.method !== 'GET')
          throw new HttpError(405, { code: 'BAD_REQUEST', message: 'Use GET for /api/events.' });
        handleEvents(req, res);
        return;
      }
      if (req.method !== 'POST') {
        throw new HttpError(405, { code: 'BAD_REQUEST', message: `Use POST for /api/${method}.` });
      }
      const origin = req.headers.origin;
      if (origin !== undefined && origin !== `http://${req.headers.host}`) {
        throw new HttpError(403, {
          code: 'UNAUTHORIZED',
          message: `Cross-origin request from ${origin} refused.`,
        });
      }
      const body = await readJsonBody(req);
      const result = await dispatch(options.api, method, body);
      sendJson(res, result.ok ? 200 : HTTP_STATUS[result.error.code], result);
      return;
    }

    if (req.method !== 'GET' && req.method !== 'HEAD') {
      throw new HttpError(405, {
        code: 'BAD_REQUEST',
        message: `${String(req.method)} is not allowed here.`,
      });
    }
    // The raw path, not url.pathname: URL parsing resolves `..` and `%2e%2e`, and a request that
    // tries them is refused rather than quietly served something else.
    const rawPath = (req.url ?? '/').split('?')[0] ?? '/';
    if (rawPath.startsWith(MEDIA_PREFIX) || url.pathname.startsWith(MEDIA_PREFIX)) {
      await serveMedia(rawPath, req.method, res);
      return;
    }
    if (options.staticDir === null) {
      throw new HttpError(404, {
        code: 'NOT_FOUND',
        message: 'This server has no user interface; use /api/<method>.',
      });
    }
    const outcome = await serveStatic(
      options.staticDir,
      rawPath,
      res,
      { ...SECURITY_HEADERS, 'content-security-policy': PAGE_CSP },
      req.method,
    );
    if (outcome === 'refused')
      throw new HttpError(400, { code: 'BAD_REQUEST', message: 'Malformed or disallowed path.' });
    if (outcome === 'not-found') {
      throw new HttpError(url.pathname === '/' ? 503 : 404, {
        code: 'NOT_FOUND',
        message:
          url.pathname === '/'
            ? 'The user interface is not built: run `npm run build` first.'
            : `Not found: ${url.pathname}`,
      });
    }
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      const isApi = (req.url ?? '').startsWith('/api');
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (error instanceof HttpError) {
        sendError(res, error.status, error.apiError, isApi, error.closeConnection);
        return;
      }
      console.error('Serve mode request failed:', error);
      const message = error instanceof Error ? error.message : String(error);
      sendError(res, 500, { code: 'INTERNAL', message: `Internal error: ${message}` }, isApi);
    });
  });
  server.headersTimeout = 30_000;
  server.requestTimeout = 0; // SSE streams stay open.

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? DEFAULT_PORT, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  const origin = `http://${shownHost}:${port}`;
  return {
    url: `${origin}/?token=${token}`,
    origin,
    host,
    port,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of sseClients) client.end();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
