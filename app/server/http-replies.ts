/** How serve mode answers: the headers every reply carries, JSON results and typed errors. */
import type { ServerResponse } from 'node:http';
import type { ApiError, ApiResult } from '../contract';

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

/** A refusal with its HTTP status and typed error; thrown by routes, answered by the server. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly apiError: ApiError,
    /** Close the connection after replying (the request body was not read to its end). */
    readonly closeConnection = false,
  ) {
    super(apiError.message);
  }
}

export function badRequest(status: number, message: string, closeConnection = false): HttpError {
  return new HttpError(status, { code: 'BAD_REQUEST', message }, closeConnection);
}

export function unauthorized(status: 401 | 403, message: string): HttpError {
  return new HttpError(status, { code: 'UNAUTHORIZED', message });
}

export function sendJson(
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

export function sendError(
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
