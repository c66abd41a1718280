/**
 * Serve mode: the contract over HTTP. `POST /api/<method>` with a JSON body returns an ApiResult;
 * `GET /api/events` streams every contract event as server-sent events; `GET /media/...` serves
 * thumbnails and originals; everything else serves the built renderer. Bound to 127.0.0.1 unless
 * told otherwise. The API and the event stream need the run's token as a bearer header, media the
 * token or the media key derived from it; the renderer's files are public (see `routes`).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  HTTP_STATUS,
  MEDIA_KEY_PARAM,
  MEDIA_PREFIX,
  PAGE_CSP,
  mediaKeyFor,
  type ExplorerApi,
  type Unsubscribe,
} from '../contract';
import { dispatch } from '../service/dispatch';
import type { AnyListener } from '../service/event-bus';
import { bearerToken, crossOriginRefusal, generateToken, hostAllowed, tokensEqual } from './auth';
import { createEventStreams } from './event-stream';
import {
  HttpError,
  SECURITY_HEADERS,
  badRequest,
  sendError,
  sendJson,
  unauthorized,
} from './http-replies';
import { readJsonBody } from './json-body';
import { DEFAULT_LIMITS, type ServerLimits } from './limits';
import { serveMedia, type MediaReader } from './media-route';
import { serveStatic } from './static-files';

export const DEFAULT_PORT = 7870;

export interface ServerOptions {
  api: ExplorerApi;
  events: { onAny(listener: AnyListener): Unsubscribe };
  host?: string;
  port?: number;
  token?: string;
  /** Folder holding the built renderer (index.html); null serves the API only. */
  staticDir: string | null;
  /** Thumbnails and originals for `/media/...` (see app/contract/media.ts). */
  media?: MediaReader;
  /** Tighter limits for tests; production uses DEFAULT_LIMITS. */
  limits?: Partial<ServerLimits>;
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

/**
 * Who may use a route: `token` needs `Authorization: Bearer <token>`; `media` also takes the media
 * key as `?key=` (an `<img>` cannot send headers); `public` needs nothing.
 */
type Access = 'token' | 'media' | 'public';

interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** The path as sent, without the query: URL parsing would resolve `..` and `%2e%2e`. */
  rawPath: string;
  method: string;
}

interface Route {
  matches(url: URL, rawPath: string): boolean;
  methods: readonly string[];
  access: Access;
  /** Refuse requests made by other pages (Sec-Fetch-Site, Origin): everything but the shell. */
  ownPageOnly: boolean;
  /** Errors as ApiResult JSON (API) or plain text. */
  json: boolean;
  handle(ctx: RequestContext): Promise<void> | void;
}

const isApiPath = (url: URL) => url.pathname === '/api' || url.pathname.startsWith('/api/');

const MISSING_TOKEN =
  'This Latent Explorer server needs its access token: open the URL printed by `latent-explorer serve` (it ends in ?token=...), or send it as `Authorization: Bearer <token>`.';
const WRONG_TOKEN =
  'Wrong access token: open the URL printed by the running `latent-explorer serve`.';

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const token = options.token ?? generateToken();
  const mediaKey = mediaKeyFor(token);
  const limits: ServerLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const streams = createEventStreams(options.events);
  let port = 0;

  const routes: readonly Route[] = [
    {
      matches: (url) => url.pathname === '/api/events',
      methods: ['GET'],
      access: 'token',
      ownPageOnly: true,
      json: true,
      handle: ({ req, res }) => streams.open(req, res),
    },
    {
      matches: isApiPath,
      methods: ['POST'],
      access: 'token',
      ownPageOnly: true,
      json: true,
      handle: async ({ req, res, url }) => {
        const body = await readJsonBody(req, limits);
        const result = await dispatch(options.api, url.pathname.slice('/api/'.length), body);
        sendJson(res, result.ok ? 200 : HTTP_STATUS[result.error.code], result);
      },
    },
    {
      // Judged on the raw path too, so `/media/../x` is refused rather than resolved elsewhere.
      matches: (url, rawPath) =>
        rawPath.startsWith(MEDIA_PREFIX) || url.pathname.startsWith(MEDIA_PREFIX),
      methods: ['GET', 'HEAD'],
      access: 'media',
      ownPageOnly: true,
      json: false,
      handle: ({ res, rawPath, method }) => serveMedia(options.media, rawPath, method, res),
    },
    {
      // The renderer's files hold no data and no secret (they are the published app), and must
      // load without the token: a reload finds it in sessionStorage only once the script runs.
      matches: () => true,
      methods: ['GET', 'HEAD'],
      access: 'public',
      ownPageOnly: false,
      json: false,
      handle: async ({ res, url, rawPath, method }) => {
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
          method,
        );
        if (outcome === 'refused') throw badRequest(400, 'Malformed or disallowed path.');
        if (outcome === 'not-found') {
          const root = url.pathname === '/';
          throw new HttpError(root ? 503 : 404, {
            code: 'NOT_FOUND',
            message: root
              ? 'The user interface is not built: run `npm run build` first.'
              : `Not found: ${url.pathname}`,
          });
        }
      },
    },
  ];

  const authorize = (ctx: RequestContext, access: Access): void => {
    if (access === 'public') return;
    const given = bearerToken(ctx.req);
    if (tokensEqual(token, given)) return;
    const key = access === 'media' ? ctx.url.searchParams.get(MEDIA_KEY_PARAM) : null;
    if (given === null && tokensEqual(mediaKey, key)) return;
    throw unauthorized(401, given === null && key === null ? MISSING_TOKEN : WRONG_TOKEN);
  };

  const handle = async (ctx: RequestContext, route: Route): Promise<void> => {
    const { req, method } = ctx;
    if (!hostAllowed(req.headers.host, host)) {
      throw unauthorized(
        403,
        `Host ${String(req.headers.host)} is not allowed; use http://127.0.0.1:${port}/.`,
      );
    }
    if (route.ownPageOnly) {
      const refusal = crossOriginRefusal(req);
      if (refusal !== null) throw unauthorized(403, refusal);
    }
    // A state-changing request must say where it comes from, or carry the token as a header: a
    // browser always sends Origin on a POST, the page and scripts send Authorization.
    if (method === 'POST' && req.headers.origin === undefined && !req.headers.authorization) {
      throw unauthorized(
        403,
        `A POST needs an Origin or an Authorization header. ${MISSING_TOKEN}`,
      );
    }
    authorize(ctx, route.access);
    if (!route.methods.includes(method)) {
      throw badRequest(
        405,
        `Use ${route.methods.join(' or ')} for ${isApiPath(ctx.url) ? ctx.url.pathname : 'this path'}.`,
      );
    }
    await route.handle(ctx);
  };

  const server: Server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      // How often Node looks for sockets past those timeouts (its default is 30 s).
      connectionsCheckingInterval: Math.max(
        100,
        Math.min(1000, Math.floor(limits.headersTimeoutMs / 4)),
      ),
    },
    (req, res) => {
      const url = new URL(req.url ?? '/', 'http://placeholder');
      const rawPath = (req.url ?? '/').split('?')[0] ?? '/';
      const route = routes.find((r) => r.matches(url, rawPath)) ?? routes[routes.length - 1]!;
      const ctx: RequestContext = { req, res, url, rawPath, method: req.method ?? 'GET' };
      handle(ctx, route).catch((error: unknown) => {
        if (res.headersSent) {
          res.destroy();
          return;
        }
        if (error instanceof HttpError) {
          sendError(res, error.status, error.apiError, route.json, error.closeConnection);
          return;
        }
        console.error('Serve mode request failed:', error);
        const message = error instanceof Error ? error.message : String(error);
        sendError(
          res,
          500,
          { code: 'INTERNAL', message: `Internal error: ${message}` },
          route.json,
        );
      });
    },
  );
  server.maxConnections = limits.maxConnections;

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
        streams.endAll();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
