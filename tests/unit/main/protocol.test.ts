import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentTypeFor, createAppProtocolHandler, resolveAppPath } from '../../../main/protocol';
import { CONTENT_SECURITY_POLICY } from '../../../main/security';

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
