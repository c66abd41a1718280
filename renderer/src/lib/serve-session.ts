/**
 * The serve-mode page's credential. The printed URL carries the token (`?token=`); on load the page
 * keeps it in memory and in this tab's sessionStorage (so a reload of the tab still works), drops
 * it from the address bar, and sends it as `Authorization: Bearer` on every call. It is never a
 * cookie: cookies are scoped by host, not port, so every other server on 127.0.0.1 would receive
 * them, whereas sessionStorage belongs to this origin (port included) and this tab only, and is
 * never sent anywhere by itself. Media URLs carry the media key derived from it instead.
 */
import { mediaKeyFor, useMediaKey } from '$contract/media';

const STORAGE_KEY = 'latent-explorer:token';

let token: string | null = null;

function stored(): string | null {
  try {
    return sessionStorage.getItem(STORAGE_KEY);
  } catch {
    return null; // Storage disabled: the token lives for this page load only.
  }
}

function store(value: string): void {
  try {
    sessionStorage.setItem(STORAGE_KEY, value);
  } catch {
    // As above: a reload will need the printed URL again.
  }
}

/** Takes the token from `?token=` (a fresh URL wins) or from this tab; call once, before rendering. */
export function startServeSession(): void {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    token = fromUrl;
    store(fromUrl);
    url.searchParams.delete('token');
    window.history.replaceState(
      window.history.state,
      '',
      `${url.pathname}${url.search}${url.hash}`,
    );
  } else {
    token = stored();
  }
  useMediaKey(token === null ? '' : mediaKeyFor(token));
}

/** `headers` plus the session's Authorization header (none when the page has no token). */
export function withAuthorization(headers: Record<string, string>): Record<string, string> {
  return token === null ? headers : { ...headers, Authorization: `Bearer ${token}` };
}
