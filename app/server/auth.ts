/**
 * Serve-mode access control. The only credential is the per-run token, sent as
 * `Authorization: Bearer <token>` (the page reads it from the printed `?token=` URL and sends it on
 * every call; scripts and curl do the same). Nothing is kept in cookies: cookies are scoped by
 * host, not port, so every other server on 127.0.0.1 would receive them. Media GETs may instead
 * carry the media key derived from the token (app/contract/media.ts), because an `<img>` cannot
 * send headers. When bound to loopback, the Host header must name loopback too (DNS rebinding).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export function generateToken(): string {
  return randomBytes(24).toString('base64url');
}

export function tokensEqual(expected: string, given: string | null | undefined): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The token of an `Authorization: Bearer` header, or null when there is none. */
export function bearerToken(req: IncomingMessage): string | null {
  const auth = req.headers.authorization;
  if (typeof auth !== 'string' || !auth.startsWith('Bearer ')) return null;
  return auth.slice('Bearer '.length).trim();
}

/**
 * Why a request for the API, the event stream or media must be refused as coming from another
 * page, or null when it may proceed. Browsers send `Sec-Fetch-Site` on every request: anything
 * but `same-origin` (our own page) or `none` (typed or pasted by the user) is another site or
 * another port of this host (`same-site`). `Origin`, when sent, must be this server's own.
 */
export function crossOriginRefusal(req: IncomingMessage): string | null {
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') {
    return `Refused a ${String(site)} request: only this server's own page may call it.`;
  }
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== `http://${String(req.headers.host)}`) {
    return `Cross-origin request from ${origin} refused.`;
  }
  return null;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_HOSTS.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** True when the Host header is acceptable for a server bound to `boundHost`. */
export function hostAllowed(hostHeader: string | undefined, boundHost: string): boolean {
  if (!isLoopbackHost(boundHost)) return true; // The user chose to expose it; the token still guards it.
  if (!hostHeader) return false;
  const name = hostHeader.startsWith('[')
    ? hostHeader.slice(0, hostHeader.indexOf(']') + 1)
    : hostHeader.split(':')[0];
  return name !== undefined && isLoopbackHost(name);
}
