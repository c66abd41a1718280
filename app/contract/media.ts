/**
 * Binary media (thumbnails, original images) are not API calls: the page loads them as plain
 * URLs, relative to the page, so the same `<img src>` works under serve mode (`/media/...`, with
 * the session cookie) and in Electron (`app://explorer/media/...`, through the custom protocol).
 * Both transports accept exactly these shapes and refuse every other path under `media/`.
 */

export const MEDIA_PREFIX = '/media/';
const MEDIA_PATTERN = /^\/media\/(thumb|original)\/([1-9][0-9]{0,14})$/;

export type MediaKind = 'thumb' | 'original';

export function thumbnailUrl(imageId: number): string {
  return `media/thumb/${imageId}`;
}

export function originalUrl(imageId: number): string {
  return `media/original/${imageId}`;
}

/** Parses a request path (already without query) into a media request, or null if malformed. */
export function parseMediaPath(pathname: string): { kind: MediaKind; imageId: number } | null {
  const match = MEDIA_PATTERN.exec(pathname);
  if (!match) return null;
  const imageId = Number(match[2]);
  if (!Number.isSafeInteger(imageId)) return null;
  return { kind: match[1] as MediaKind, imageId };
}
