/**
 * Binary media (thumbnails, original images) are not API calls: the page loads them as plain
 * URLs, relative to the page, so the same `<img src>` works under serve mode (`/media/...`) and
 * in Electron (`app://explorer/media/...`, through the custom protocol). Both transports accept
 * exactly these shapes and refuse every other path under `media/`.
 *
 * An `<img>` cannot send the serve-mode token as a header, so serve-mode media URLs carry a media
 * key instead (`?key=`): an HMAC of the session token that authorises GETs of media and nothing
 * else, and is worthless on any other run. The serve-mode page sets it once with
 * {@link useMediaKey}; Electron never does, so its URLs stay bare.
 */
import { hmac } from '@noble/hashes/hmac';
import { sha256 } from '@noble/hashes/sha2';

export const MEDIA_PREFIX = '/media/';
/** The query parameter of serve mode's media key. */
export const MEDIA_KEY_PARAM = 'key';
const MEDIA_PATTERN = /^\/media\/(thumb|original)\/([1-9][0-9]{0,14})$/;
const MEDIA_KEY_LABEL = 'latent-explorer media key v1';

export type MediaKind = 'thumb' | 'original';

let keyQuery = '';

/** The media key of a serve-mode session: base64url HMAC-SHA-256 of a fixed label under `token`. */
export function mediaKeyFor(token: string): string {
  const encoder = new TextEncoder();
  // @noble/hashes: audited and synchronous in Node and in the page (WebCrypto is async, and
  // missing on plain-HTTP pages of a non-loopback serve mode).
  const mac = hmac(sha256, encoder.encode(token), encoder.encode(MEDIA_KEY_LABEL));
  let binary = '';
  for (const byte of mac) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Makes every media URL below carry `key` (serve mode); an empty key makes them bare again. */
export function useMediaKey(key: string): void {
  keyQuery = key === '' ? '' : `?${MEDIA_KEY_PARAM}=${encodeURIComponent(key)}`;
}

export function thumbnailUrl(imageId: number): string {
  return `media/thumb/${imageId}${keyQuery}`;
}

export function originalUrl(imageId: number): string {
  return `media/original/${imageId}${keyQuery}`;
}

/** Parses a request path (already without query) into a media request, or null if malformed. */
export function parseMediaPath(pathname: string): { kind: MediaKind; imageId: number } | null {
  const match = MEDIA_PATTERN.exec(pathname);
  if (!match) return null;
  const imageId = Number(match[2]);
  if (!Number.isSafeInteger(imageId)) return null;
  return { kind: match[1] as MediaKind, imageId };
}
