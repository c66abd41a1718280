import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ExplorerError, type ErrorCode } from '../../../app/contract/errors';
import { originalUrl, thumbnailUrl, type MediaKind } from '../../../app/contract/media';
import {
  contentTypeFor,
  createAppProtocolHandler,
  isMediaNamespace,
  mediaErrorStatus,
  rawAppPath,
  resolveAppPath,
  type MediaBody,
} from '../../../main/protocol';
import { APP_ENTRY_URL, CONTENT_SECURITY_POLICY } from '../../../main/security';

const ROOT = '/srv/app/build/renderer';

describe('resolveAppPath (POSIX)', () => {
  const resolve = (url: string) => resolveAppPath(ROOT, url, path.posix);

  it('serves index.html for / and for folder URLs', () => {
    expect(resolve('app://explorer/')).toBe(`${ROOT}/index.html`);
    expect(resolve('app://explorer')).toBe(`${ROOT}/index.html`);
    expect(resolve('app://explorer/docs/')).toBe(`${ROOT}/docs/index.html`);
  });

  it('maps files inside the root and ignores query and fragment', () => {
    expect(resolve('app://explorer/assets/index-abc.js')).toBe(`${ROOT}/assets/index-abc.js`);
    expect(resolve('app://explorer/assets/a.css?v=2#x')).toBe(`${ROOT}/assets/a.css`);
    expect(resolve('app://explorer/fonts/Inter%20Var.woff2')).toBe(`${ROOT}/fonts/Inter Var.woff2`);
    expect(resolve('app://explorer/..foo/ok.js')).toBe(`${ROOT}/..foo/ok.js`);
  });

  it('refuses other origins and schemes', () => {
    expect(resolve('app://other/index.html')).toBeNull();
    expect(resolve('app://a:b@explorer/index.html')).toBeNull();
    expect(resolve('file:///srv/app/build/renderer/index.html')).toBeNull();
    expect(resolve('https://explorer/index.html')).toBeNull();
    expect(resolve('::not a url')).toBeNull();
  });

  it.each([
    ['literal dot-dot', 'app://explorer/../../../etc/passwd'],
    ['dot-dot inside the path', 'app://explorer/assets/../../main/main.js'],
    ['encoded dot-dot', 'app://explorer/%2e%2e/%2e%2e/etc/passwd'],
    ['upper-case encoded dot-dot', 'app://explorer/%2E%2E/secret'],
    ['half-encoded dot-dot', 'app://explorer/.%2e/secret'],
    ['encoded slash', 'app://explorer/..%2f..%2fetc%2fpasswd'],
    ['encoded absolute path', 'app://explorer/%2fetc%2fpasswd'],
    ['double slash', 'app://explorer//etc/passwd'],
    ['backslashes', 'app://explorer/..\\..\\etc\\passwd'],
    ['encoded backslashes', 'app://explorer/..%5c..%5csecret'],
    ['single encoded dot segment', 'app://explorer/%2e/index.html'],
    ['NUL byte', 'app://explorer/index.html%00.png'],
    ['control character', 'app://explorer/a%0ab.js'],
    ['drive letter', 'app://explorer/C:/Windows/win.ini'],
    ['encoded drive letter', 'app://explorer/C%3a%5cWindows%5cwin.ini'],
    ['malformed escape', 'app://explorer/%E0%A4%A'],
  ])('refuses %s', (_name, url) => {
    expect(resolve(url)).toBeNull();
  });

  it('refuses dot segments that URL parsing would fold away', () => {
    // new URL() turns these into paths inside ROOT; they are refused all the same.
    expect(new URL('app://explorer/a/b/../../../../x').pathname).toBe('/x');
    expect(resolve('app://explorer/a/b/../../../../x')).toBeNull();
    expect(resolve('app://explorer/./x')).toBeNull();
  });
});

describe('resolveAppPath containment check', () => {
  it('refuses a result outside the root even if a platform resolved a plain name oddly', () => {
    // Simulates a path quirk the segment rules do not know about: the final check still holds.
    const quirky = {
      ...path.posix,
      resolve: (...parts: string[]) =>
        parts.includes('quirk') ? '/etc/passwd' : path.posix.resolve(...parts),
    };
    expect(resolveAppPath(ROOT, 'app://explorer/quirk', quirky)).toBeNull();
    expect(resolveAppPath(ROOT, 'app://explorer/fine.js', quirky)).toBe(`${ROOT}/fine.js`);
  });
});

describe('resolveAppPath (Windows)', () => {
  const WIN_ROOT = 'C:\\Program Files\\Latent Explorer\\resources\\app.asar\\build\\renderer';
  const resolve = (url: string) => resolveAppPath(WIN_ROOT, url, path.win32);

  it('maps files inside the root', () => {
    expect(resolve('app://explorer/assets/x.js')).toBe(`${WIN_ROOT}\\assets\\x.js`);
  });

  it.each([
    'app://explorer/..\\..\\Windows\\win.ini',
    'app://explorer/..%5c..%5cWindows',
    'app://explorer/C:%5cWindows%5cwin.ini',
    'app://explorer/D:/data',
    'app://explorer/%5c%5cserver%5cshare%5cx',
    'app://explorer/CON',
    'app://explorer/assets/nul.txt',
    'app://explorer/COM1.js',
  ])('refuses %s', (url) => {
    expect(resolve(url)).toBeNull();
  });
});

describe('contentTypeFor', () => {
  it('gives module scripts, styles and pages exact types', () => {
    expect(contentTypeFor('a/index.html')).toBe('text/html; charset=utf-8');
    expect(contentTypeFor('a/x.JS')).toBe('text/javascript; charset=utf-8');
    expect(contentTypeFor('a/x.css')).toBe('text/css; charset=utf-8');
    expect(contentTypeFor('a/x.wasm')).toBe('application/wasm');
    expect(contentTypeFor('a/x.unknown')).toBe('application/octet-stream');
  });
});

describe('createAppProtocolHandler', () => {
  let tmp: string;
  let root: string;

  beforeAll(() => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'le-protocol-'));
    root = path.join(tmp, 'renderer');
    mkdirSync(path.join(root, 'assets'), { recursive: true });
    writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>LE</title>');
    writeFileSync(path.join(root, 'assets', 'app.js'), 'console.log(1)');
    writeFileSync(path.join(tmp, 'secret.txt'), 'TOP SECRET');
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  const handler = () => createAppProtocolHandler({ rootDir: root, readFile: (p) => readFile(p) });

  it('serves index.html with the CSP header', async () => {
    const response = await handler()(new Request('app://explorer/'));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await response.text()).toContain('<title>LE</title>');
  });

  it('serves scripts as JavaScript', async () => {
    const response = await handler()(new Request('app://explorer/assets/app.js'));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await response.text()).toBe('console.log(1)');
  });

  it('never serves the file next to the root', async () => {
    for (const url of [
      'app://explorer/%2e%2e/secret.txt',
      'app://explorer/..%2fsecret.txt',
      'app://explorer/..%5csecret.txt',
      'app://explorer/../secret.txt',
    ]) {
      const response = await handler()(new Request(url));
      expect(response.status, url).toBe(404);
      expect(await response.text(), url).not.toContain('SECRET');
    }
  });

  it('answers 404 for missing files, with the CSP header too', async () => {
    const response = await handler()(new Request('app://explorer/missing.js'));
    expect(response.status).toBe(404);
    expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
  });

  it('answers HEAD without a body and refuses other methods', async () => {
    const head = await handler()(new Request('app://explorer/', { method: 'HEAD' }));
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    const post = await handler()(new Request('app://explorer/', { method: 'POST', body: 'x' }));
    expect(post.status).toBe(405);
  });

  it('answers 500 (and logs) when a file cannot be read for another reason', async () => {
    const logged: string[] = [];
    const denied = createAppProtocolHandler({
      rootDir: root,
      readFile: () =>
        Promise.reject(Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' })),
      log: (m) => logged.push(m),
    });
    const response = await denied(new Request('app://explorer/'));
    expect(response.status).toBe(500);
    expect(logged.join('\n')).toContain('EACCES');
  });
});

describe('rawAppPath and isMediaNamespace', () => {
  it('gives the path as written, or null for URLs that are not ours', () => {
    expect(rawAppPath('app://explorer')).toBe('/');
    expect(rawAppPath('app://explorer/media/thumb/../1?x#y')).toBe('/media/thumb/../1');
    expect(rawAppPath('app://other/media/thumb/1')).toBeNull();
    expect(rawAppPath('app://u:p@explorer/media/thumb/1')).toBeNull();
    expect(rawAppPath('https://explorer/media/thumb/1')).toBeNull();
  });

  it('recognises the media namespace however its first segment is spelt', () => {
    for (const p of ['/media', '/media/', '/media/thumb/1', '/MEDIA/x', '/%6dedia/thumb/1']) {
      expect(isMediaNamespace(p), p).toBe(true);
    }
    for (const p of ['/media./thumb/1', '/media%20/thumb/1', '//media/thumb/1']) {
      expect(isMediaNamespace(p), p).toBe(true);
    }
    for (const p of ['/', '/index.html', '/assets/media/thumb/1', '/medias/1', '/media-x/1']) {
      expect(isMediaNamespace(p), p).toBe(false);
    }
  });

  it('keeps resolveAppPath away from the media namespace', () => {
    expect(resolveAppPath(ROOT, 'app://explorer/media/thumb/1', path.posix)).toBeNull();
    expect(resolveAppPath(ROOT, 'app://explorer/media', path.posix)).toBeNull();
    expect(resolveAppPath(ROOT, 'app://explorer/Media/index.html', path.posix)).toBeNull();
    expect(resolveAppPath(ROOT, 'app://explorer/assets/media/x.png', path.posix)).toBe(
      `${ROOT}/assets/media/x.png`,
    );
  });
});

describe('app:// media requests', () => {
  /** A handler whose renderer folder holds a file at every path, so a fall-through would show. */
  function setup(answer?: (kind: MediaKind, id: number) => Promise<MediaBody | null>) {
    const readMedia = vi.fn(
      answer ??
        (async (kind: MediaKind, id: number) => ({
          data: new Uint8Array([0xff, 0xd8, id % 256]),
          mime: kind === 'thumb' ? 'image/webp' : 'image/jpeg',
        })),
    );
    const readFile = vi.fn(async (p: string) => new TextEncoder().encode(`FILE ${p}`));
    const logged: string[] = [];
    let running = true;
    const handler = createAppProtocolHandler({
      rootDir: ROOT,
      readFile,
      media: () => (running ? { readMedia } : null),
      pathApi: path.posix,
      log: (m) => logged.push(m),
    });
    const get = (url: string, method = 'GET') => handler(new Request(url, { method }));
    /**
     * A request whose URL is exactly as written. `new Request()` (like Chromium before the handler
     * runs) folds dot segments, so this is how the raw-path checks are reached in a test.
     */
    const getRaw = (url: string) => handler({ method: 'GET', url } as Request);
    return { handler, get, getRaw, readMedia, readFile, logged, stop: () => (running = false) };
  }

  const expectCommonHeaders = (response: Response) => {
    expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  };

  it('serves a thumbnail with its MIME type, cacheable, with the security headers', async () => {
    const { get, readMedia, readFile } = setup();
    const response = await get('app://explorer/media/thumb/7');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/webp');
    expect(response.headers.get('cache-control')).toBe('private, max-age=3600');
    expectCommonHeaders(response);
    expect([...new Uint8Array(await response.arrayBuffer())]).toEqual([0xff, 0xd8, 7]);
    expect(readMedia).toHaveBeenCalledExactlyOnceWith('thumb', 7);
    expect(readFile).not.toHaveBeenCalled();
  });

  it('serves an original, never stored', async () => {
    const { get, readMedia } = setup();
    const response = await get('app://explorer/media/original/123456789012345');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/jpeg');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expectCommonHeaders(response);
    expect(readMedia).toHaveBeenCalledExactlyOnceWith('original', 123456789012345);
  });

  it('resolves the contract URLs relative to the page, ignoring query and fragment', async () => {
    const { get, readMedia } = setup();
    expect((await get(new URL(thumbnailUrl(42), APP_ENTRY_URL).href)).status).toBe(200);
    expect((await get(new URL(originalUrl(43), APP_ENTRY_URL).href)).status).toBe(200);
    expect((await get('app://explorer/media/thumb/44?v=2#top')).status).toBe(200);
    expect(readMedia.mock.calls).toEqual([
      ['thumb', 42],
      ['original', 43],
      ['thumb', 44],
    ]);
  });

  it('answers HEAD with the headers and no body', async () => {
    const { get } = setup();
    const response = await get('app://explorer/media/thumb/7', 'HEAD');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/webp');
    expect(await response.text()).toBe('');
  });

  it.each([
    ['dot-dot after the kind', 'app://explorer/media/thumb/../../x'],
    ['dot-dot to the renderer', 'app://explorer/media/../index.html'],
    ['dot-dot to a file beside it', 'app://explorer/media/thumb/../../../secret.txt'],
    ['encoded dot-dot', 'app://explorer/media/thumb/%2e%2e/%2e%2e/index.html'],
    ['encoded slash', 'app://explorer/media/thumb%2f1'],
    ['encoded id', 'app://explorer/media/thumb/%31'],
    ['backslash', 'app://explorer/media/thumb\\1'],
    ['dot segment', 'app://explorer/media/./thumb/1'],
    ['double slash', 'app://explorer/media//thumb/1'],
    ['leading double slash', 'app://explorer//media/thumb/1'],
    ['letters for the id', 'app://explorer/media/thumb/abc'],
    ['id zero', 'app://explorer/media/thumb/0'],
    ['leading zero', 'app://explorer/media/thumb/01'],
    ['negative id', 'app://explorer/media/thumb/-1'],
    ['fractional id', 'app://explorer/media/thumb/1.5'],
    ['exponent', 'app://explorer/media/thumb/1e3'],
    ['id too long', 'app://explorer/media/thumb/1234567890123456'],
    ['unknown kind', 'app://explorer/media/x/1'],
    ['kind in upper case', 'app://explorer/media/THUMB/1'],
    ['namespace in upper case', 'app://explorer/MEDIA/thumb/1'],
    ['encoded namespace', 'app://explorer/%6dedia/thumb/1'],
    ['Windows trailing dot', 'app://explorer/media./thumb/1'],
    ['trailing slash', 'app://explorer/media/thumb/1/'],
    ['extra segment', 'app://explorer/media/thumb/1/x'],
    ['extension', 'app://explorer/media/thumb/1.webp'],
    ['NUL', 'app://explorer/media/thumb/1%00'],
    ['no kind', 'app://explorer/media/'],
    ['bare namespace', 'app://explorer/media'],
  ])('refuses %s without asking the core or the renderer folder', async (_name, url) => {
    const { getRaw, readMedia, readFile } = setup();
    const response = await getRaw(url);
    expect([400, 404]).toContain(response.status);
    expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expectCommonHeaders(response);
    expect(await response.text()).not.toContain('FILE');
    expect(readMedia).not.toHaveBeenCalled();
    expect(readFile).not.toHaveBeenCalled();
  });

  it('sees dot segments already folded by URL parsing: media stays media, files stay inside', async () => {
    const { get, readMedia, readFile } = setup();
    // What a page (or Chromium's URL canonicaliser) makes of these before any handler runs.
    expect(new Request('app://explorer/media/thumb/../../x').url).toBe('app://explorer/x');
    const folded = await get('app://explorer/media/thumb/../../../secret.txt');
    expect(await folded.text()).toBe(`FILE ${ROOT}/secret.txt`); // a renderer file, in ROOT
    for (const url of [
      'app://explorer/media/thumb/..', // -> /media/
      'app://explorer/media/thumb/%2e%2e/1', // -> /media/1
      'app://explorer/media/thumb/1/..', // -> /media/thumb/
    ]) {
      expect((await get(url)).status, url).toBe(400);
    }
    expect(readMedia).not.toHaveBeenCalled();
    expect(readFile.mock.calls).toEqual([[`${ROOT}/secret.txt`]]);
  });

  it('refuses media paths before anything else is read, with 400 and a short text', async () => {
    const { get, logged } = setup();
    const response = await get('app://explorer/media/thumb/abc');
    expect(response.status).toBe(400);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.text()).toBe('Bad media path');
    expect(logged.join('\n')).toContain('media/thumb/abc');
  });

  it('refuses other methods before routing', async () => {
    const { handler, readMedia } = setup();
    const response = await handler(
      new Request('app://explorer/media/thumb/1', { method: 'POST', body: 'x' }),
    );
    expect(response.status).toBe(405);
    expect(readMedia).not.toHaveBeenCalled();
  });

  it('answers 404 when the core has no such image or thumbnail', async () => {
    const { get, readMedia } = setup(async () => null);
    const response = await get('app://explorer/media/thumb/9');
    expect(response.status).toBe(404);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expectCommonHeaders(response);
    expect(await response.text()).toBe('Not found');
    expect(readMedia).toHaveBeenCalledExactlyOnceWith('thumb', 9);
  });

  it.each<[ErrorCode, number]>([
    ['NOT_FOUND', 404],
    ['PERMISSION_DENIED', 403],
    ['UNSUPPORTED', 501],
    ['INTERNAL', 500],
    ['BUSY', 500],
    ['BAD_REQUEST', 500],
  ])('maps ExplorerError %s to %i with a short text', async (code, status) => {
    const secret = '/home/me/private/photo.jpg';
    const { get, logged } = setup(async () => {
      throw new ExplorerError(code, `Cannot read ${secret}`);
    });
    const response = await get('app://explorer/media/original/5');
    expect(response.status).toBe(status);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expectCommonHeaders(response);
    const text = await response.text();
    expect(text.length).toBeLessThan(40);
    expect(text).not.toContain(secret);
    // Only unexpected failures are logged; a gone or forbidden original is an ordinary answer.
    expect(logged.some((m) => m.includes(secret))).toBe(status === 500);
  });

  it('maps raw file-system errors and anything else', () => {
    const fsError = (code: string) => Object.assign(new Error(code), { code });
    expect(mediaErrorStatus(fsError('ENOENT'))[0]).toBe(404);
    expect(mediaErrorStatus(fsError('EACCES'))[0]).toBe(403);
    expect(mediaErrorStatus(fsError('EIO'))[0]).toBe(500);
    expect(mediaErrorStatus(new TypeError('bug'))[0]).toBe(500);
    expect(mediaErrorStatus(null)[0]).toBe(500);
    expect(mediaErrorStatus({ code: 'NOT_FOUND', message: 'plain object' })[0]).toBe(404);
  });

  it('answers 500 (and logs) when readMedia fails unexpectedly', async () => {
    const { get, logged } = setup(async () => {
      throw new Error('database is locked');
    });
    const response = await get('app://explorer/media/thumb/3');
    expect(response.status).toBe(500);
    expect(await response.text()).toBe('Could not read the image');
    expect(logged.join('\n')).toContain('database is locked');
  });

  it('never sends a MIME type that is not a plain image type', async () => {
    for (const mime of [
      'text/html',
      'image/svg+xml',
      'IMAGE/SVG+XML',
      'application/javascript',
      '',
    ]) {
      const { get } = setup(async () => ({ data: new Uint8Array([1]), mime }));
      const response = await get('app://explorer/media/original/1');
      expect(response.status, mime).toBe(200);
      expect(response.headers.get('content-type'), mime).toBe('application/octet-stream');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    }
    const { get } = setup(async () => ({ data: new Uint8Array([1]), mime: 'Image/PNG' }));
    expect((await get('app://explorer/media/thumb/1')).headers.get('content-type')).toBe(
      'image/png',
    );
  });

  it('answers 503 while the core is not running', async () => {
    const { get, readMedia, stop } = setup();
    stop();
    const response = await get('app://explorer/media/thumb/1');
    expect(response.status).toBe(503);
    expect(readMedia).not.toHaveBeenCalled();
    const withoutMedia = createAppProtocolHandler({ rootDir: ROOT, readFile: vi.fn() });
    expect((await withoutMedia(new Request('app://explorer/media/thumb/1'))).status).toBe(503);
  });

  it('still serves renderer files next to the media namespace', async () => {
    const { get, readMedia, readFile } = setup();
    const response = await get('app://explorer/assets/media-viewer.js');
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(`FILE ${ROOT}/assets/media-viewer.js`);
    expect(readFile).toHaveBeenCalledTimes(1);
    expect(readMedia).not.toHaveBeenCalled();
  });
});
