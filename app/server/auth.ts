/**
 * Serve-mode access control. Every request must carry the per-run token: as `?token=` (the URL the
 * server prints; the page is then redirected and the token kept in an HttpOnly SameSite=Strict
 * cookie), as a cookie, or as `Authorization: Bearer <token>` (scripts, curl). When bound to
 * loopback, the Host header must name loopback too, which defeats DNS-rebinding attacks.
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

/** Cookies are shared by every port of a host, so the name carries the port. */
export function cookieName(port: number): string {
  return `le_token_${port}`;
}

export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  if (!header) return cookies;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    try {
      cookies.set(name, decodeURIComponent(value));
    } catch {
      // A malformed cookie value is simply not a token.
    }
  }
  return cookies;
}

export function tokenFromRequest(
  req: IncomingMessage,
  url: URL,
  port: number,
): { token: string | null; via: 'header' | 'cookie' | 'query' | null } {
  const auth = req.headers.authorization;
  if (typeof auth === 'string' && auth.startsWith('Bearer '))
    return { token: auth.slice(7).trim(), via: 'header' };
  const cookie = parseCookies(req.headers.cookie).get(cookieName(port));
  if (cookie !== undefined) return { token: cookie, via: 'cookie' };
  const query = url.searchParams.get('token');
  if (query !== null) return { token: query, via: 'query' };
  return { token: null, via: null };
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
