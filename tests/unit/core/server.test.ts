import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mediaKeyFor } from '../../../app/contract/media';
import { hostAllowed, tokensEqual } from '../../../app/server/auth';
import { startServer, type RunningServer } from '../../../app/server/server';
import { resolveStaticPath } from '../../../app/server/static-files';
import type { ExplorerService } from '../../../app/service/explorer-service';
import { makeService, makeTestEnv, writeImages, type TestEnv } from './fakes';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Raw HTTP (not fetch) so tests can send any Host header and unnormalised paths. */
function send(
  server: RunningServer,
  options: { method?: string; path: string; headers?: Record<string, string>; body?: string },
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: server.port,
        method: options.method ?? 'GET',
        path: options.path,
        headers: options.headers,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

let server: RunningServer;
let staticDir: string;
let env: TestEnv;
let service: ExplorerService;
let photos: string;
const auth = () => ({ authorization: `Bearer ${server.token}` });
const json = { 'content-type': 'application/json' };

beforeAll(async () => {
  env = await makeTestEnv();
  service = makeService(env.dataDir);
  photos = path.join(env.root, 'photos');
  await writeImages(photos, 3);
  staticDir = await mkdtemp(path.join(os.tmpdir(), 'le-static-'));
  await writeFile(path.join(staticDir, 'index.html'), '<!doctype html><title>LE</title>');
  await writeFile(path.join(staticDir, 'app.js'), 'console.log(1)');
  server = await startServer({
    api: service,
    events: service.events,
    media: service,
    port: 0,
    staticDir,
  });
});
afterAll(async () => {
  await server.close();
  await service.dispose();
  await env.cleanup();
  await rm(staticDir, { recursive: true, force: true });
});

describe('serve mode authentication', () => {
  it('prints a loopback URL with the token', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${server.token}`);
    expect(server.token.length).toBeGreaterThanOrEqual(32);
  });

  it('refuses API calls, events and media without the token', async () => {
    const api = await send(server, {
      method: 'POST',
      path: '/api/getStatus',
      headers: { origin: `http://127.0.0.1:${server.port}` },
    });
    expect(api.status).toBe(401);
    expect(JSON.parse(api.body)).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
    expect(JSON.parse(api.body).error.message).toMatch(/needs its access token/);
    const events = await send(server, { path: '/api/events' });
    expect(events.status).toBe(401);
    expect((await send(server, { path: '/media/thumb/1' })).status).toBe(401);
  });

  it('serves the app shell without the token: it holds no data and must load on a reload', async () => {
    const page = await send(server, { path: '/' });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>LE</title>');
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    // The printed URL (pasted by the user: Sec-Fetch-Site none) gets the page itself, no redirect.
    const pasted = await send(server, {
      path: `/?token=${server.token}`,
      headers: { 'sec-fetch-site': 'none', 'sec-fetch-mode': 'navigate' },
    });
    expect(pasted.status).toBe(200);
    expect(pasted.body).toContain('<title>LE</title>');
  });

  it('refuses a wrong token, and a token anywhere but the Authorization header', async () => {
    const reply = await send(server, {
      method: 'POST',
      path: '/api/getStatus',
      headers: { authorization: 'Bearer nope' },
    });
    expect(reply.status).toBe(401);
    expect(JSON.parse(reply.body).error.message).toMatch(/Wrong access token/);
    const viaQuery = await send(server, {
      method: 'POST',
      path: `/api/getStatus?token=${server.token}`,
      headers: { origin: `http://127.0.0.1:${server.port}` },
    });
    expect(viaQuery.status).toBe(401);
    const eventsViaQuery = await send(server, { path: `/api/events?token=${server.token}` });
    expect(eventsViaQuery.status).toBe(401);
  });

  it('never sets a cookie, and refuses a request whose only credential is a cookie', async () => {
    const cookie = `le_token_${server.port}=${server.token}; latent-explorer=${server.token}`;
    const origin = `http://127.0.0.1:${server.port}`;
    const replies = [
      await send(server, { path: `/?token=${server.token}` }),
      await send(server, { path: '/app.js' }),
      await send(server, { method: 'POST', path: '/api/getStatus', headers: auth() }),
      await send(server, { method: 'POST', path: '/api/getStatus', headers: { origin, cookie } }),
      await send(server, { path: '/api/events', headers: { cookie } }),
      await send(server, { path: '/media/thumb/1', headers: { cookie } }),
      await send(server, {
        path: '/media/thumb/1',
        headers: { cookie, 'sec-fetch-site': 'same-origin' },
      }),
    ];
    for (const reply of replies) expect(reply.headers['set-cookie']).toBeUndefined();
    expect(replies.slice(3).map((r) => r.status)).toEqual([401, 401, 401, 401]);
  });

  it('refuses a POST with neither an Origin nor an Authorization header', async () => {
    const reply = await send(server, {
      method: 'POST',
      path: `/api/getStatus?token=${server.token}`,
    });
    expect(reply.status).toBe(403);
    expect(JSON.parse(reply.body).error.message).toMatch(/Origin or an Authorization header/);
    const withOrigin = await send(server, {
      method: 'POST',
      path: '/api/getStatus',
      headers: { ...auth(), origin: `http://127.0.0.1:${server.port}` },
    });
    expect(withOrigin.status).toBe(200);
  });

  it('refuses foreign Host headers (DNS rebinding) and cross-origin posts', async () => {
    const rebinding = await send(server, {
      method: 'POST',
      path: '/api/getStatus',
      headers: { ...auth(), host: 'evil.example:80' },
    });
    expect(rebinding.status).toBe(403);
    const cross = await send(server, {
      method: 'POST',
      path: '/api/getStatus',
      headers: { ...auth(), origin: 'http://evil.example' },
    });
    expect(cross.status).toBe(403);
    expect(JSON.parse(cross.body).error.code).toBe('UNAUTHORIZED');
  });
});

describe('serve mode API', () => {
  it('calls methods and returns ApiResult JSON', async () => {
    const reply = await send(server, { method: 'POST', path: '/api/getStatus', headers: auth() });
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body)).toMatchObject({ ok: true, value: { appVersion: '9.9.9' } });
  });

  it('answers unknown methods, bad arguments and bad bodies with typed errors', async () => {
    const unknown = await send(server, {
      method: 'POST',
      path: '/api/dropDatabase',
      headers: auth(),
    });
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.body).error.code).toBe('UNKNOWN_METHOD');
    const badArgs = await send(server, {
      method: 'POST',
      path: '/api/addFolder',
      headers: { ...auth(), ...json },
      body: '{"folder":7}',
    });
    expect(badArgs.status).toBe(400);
    expect(JSON.parse(badArgs.body)).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    const badJson = await send(server, {
      method: 'POST',
      path: '/api/addFolder',
      headers: { ...auth(), ...json },
      body: '{folder',
    });
    expect(badJson.status).toBe(400);
    expect(JSON.parse(badJson.body).error.message).toMatch(/not valid JSON/);
    const wrongType = await send(server, {
      method: 'POST',
      path: '/api/addFolder',
      headers: { ...auth(), 'content-type': 'text/plain' },
      body: '{}',
    });
    expect(wrongType.status).toBe(415);
    const wrongVerb = await send(server, {
      method: 'GET',
      path: '/api/getStatus',
      headers: auth(),
    });
    expect(wrongVerb.status).toBe(405);
    const huge = await send(server, {
      method: 'POST',
      path: '/api/addFolder',
      headers: { ...auth(), ...json },
      body: JSON.stringify({ folder: 'x'.repeat(9 * 1024 * 1024) }),
    }).catch((error: NodeJS.ErrnoException) => ({
      status: error.code === 'EPIPE' || error.code === 'ECONNRESET' ? 413 : 0,
      headers: {},
      body: '',
    }));
    expect(huge.status).toBe(413);
  });

  it('accepts exactly application/json, optionally with charset=utf-8', async () => {
    for (const type of [
      'application/json',
      'application/json; charset=utf-8',
      'Application/JSON;charset=UTF-8',
    ]) {
      const reply = await send(server, {
        method: 'POST',
        path: '/api/getStatus',
        headers: { ...auth(), 'content-type': type },
        body: '{}',
      });
      expect(reply.status, type).toBe(200);
    }
    for (const type of [
      'application/jsonp',
      'application/json-foo',
      'application/json; charset=latin1',
      'application/json, text/plain',
      'text/json',
    ]) {
      const reply = await send(server, {
        method: 'POST',
        path: '/api/getStatus',
        headers: { ...auth(), 'content-type': type },
        body: '{}',
      });
      expect(reply.status, type).toBe(415);
    }
  });

  it('streams events over SSE', async () => {
    const events: string[] = [];
    const done = new Promise<void>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port: server.port, path: '/api/events', headers: auth() },
        (res) => {
          expect(res.headers['content-type']).toMatch(/text\/event-stream/);
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            events.push(chunk);
            // Let the scan finish once it has started (the job exists only after the POST arrived).
            const all = events.join('');
            if (
              all.includes('event: job:finished') &&
              all.lastIndexOf('event: library:changed') > all.indexOf('event: job:finished')
            ) {
              req.destroy();
              resolve();
            }
          });
          void send(server, {
            method: 'POST',
            path: '/api/addFolder',
            headers: { ...auth(), ...json },
            body: JSON.stringify({ folder: photos }),
          });
        },
      );
      req.on('error', (error: NodeJS.ErrnoException) =>
        error.code === 'ECONNRESET' ? undefined : reject(error),
      );
      req.end();
    });
    await done;
    const text = events.join('');
    expect(text).toContain('event: job:started');
    expect(text).toContain('event: job:progress');
    expect(text).toMatch(/event: library:changed\ndata: \{"folders":\[\{"id":1,/);
  });
});

describe('serve mode media', () => {
  it('serves thumbnails and originals of ingested images, with the token or the media key', async () => {
    const page = await service.listImages({ status: 'ok' });
    expect(page.total).toBe(3);
    const id = page.images[0]!.id;
    const thumb = await send(server, { path: `/media/thumb/${id}`, headers: auth() });
    expect(thumb.status).toBe(200);
    expect(thumb.headers['content-type']).toBe('image/webp');
    const original = await send(server, { path: `/media/original/${id}`, headers: auth() });
    expect(original.status).toBe(200);
    expect(original.headers['content-type']).toBe('image/png');
    expect((await send(server, { path: `/media/thumb/${id}` })).status).toBe(401);
    expect((await send(server, { path: '/media/thumb/424242', headers: auth() })).status).toBe(404);

    const key = mediaKeyFor(server.token);
    expect(key).not.toContain(server.token);
    const keyed = await send(server, { path: `/media/original/${id}?key=${key}` });
    expect(keyed.status).toBe(200);
    expect((await send(server, { path: `/media/thumb/${id}?key=${key}x` })).status).toBe(401);
    expect((await send(server, { path: `/media/thumb/${id}?key=${server.token}` })).status).toBe(
      401,
    );
    // The media key opens media and nothing else.
    const origin = `http://127.0.0.1:${server.port}`;
    const attempts: { method: string; path: string; headers: Record<string, string> }[] = [
      { method: 'POST', path: `/api/getStatus?key=${key}`, headers: { origin } },
      {
        method: 'POST',
        path: '/api/getStatus',
        headers: { origin, authorization: `Bearer ${key}` },
      },
      { method: 'GET', path: `/api/events?key=${key}`, headers: {} },
    ];
    for (const attempt of attempts) {
      expect((await send(server, attempt)).status, attempt.path).toBe(401);
    }
  });

  it('refuses other pages (Sec-Fetch-Site, Origin) on the API, the event stream and media', async () => {
    const id = (await service.listImages({ status: 'ok' })).images[0]!.id;
    const key = mediaKeyFor(server.token);
    const targets = [
      { method: 'POST', path: '/api/getStatus', headers: auth() },
      { method: 'GET', path: '/api/events', headers: auth() },
      { method: 'GET', path: `/media/thumb/${id}?key=${key}`, headers: {} },
      { method: 'GET', path: `/media/original/${id}`, headers: auth() },
    ];
    for (const target of targets) {
      // Another port of this host is "same-site" but not "same-origin".
      const foreigns: Record<string, string>[] = [
        { 'sec-fetch-site': 'same-site' },
        { 'sec-fetch-site': 'cross-site' },
        { origin: 'http://127.0.0.1:1' },
        { origin: 'http://evil.example' },
      ];
      for (const foreign of foreigns) {
        const reply = await send(server, { ...target, headers: { ...target.headers, ...foreign } });
        expect(reply.status, `${target.path} ${JSON.stringify(foreign)}`).toBe(403);
      }
    }
    // The page's own requests, and URLs the user typed, pass.
    for (const site of ['same-origin', 'none']) {
      const thumb = await send(server, {
        path: `/media/thumb/${id}?key=${key}`,
        headers: { 'sec-fetch-site': site },
      });
      expect(thumb.status, site).toBe(200);
    }
  });

  it('refuses malformed and traversing media paths', async () => {
    for (const p of [
      '/media/thumb/../../../etc/passwd',
      '/media/thumb/%2e%2e%2fx',
      '/media/original/abc',
      '/media/thumb/1/../2',
      '/media/',
      '/media/%2e%2e/package.json',
      '/media/original//etc/passwd',
    ]) {
      const reply = await send(server, { path: p, headers: auth() });
      expect(reply.status, p).toBe(400);
      expect(reply.body).not.toContain('root:');
    }
  });
});

describe('serve mode static files', () => {
  it('serves assets and falls back to the page for app routes', async () => {
    const asset = await send(server, { path: '/app.js', headers: auth() });
    expect(asset.status).toBe(200);
    expect(asset.headers['content-type']).toMatch(/text\/javascript/);
    const route = await send(server, { path: '/library', headers: auth() });
    expect(route.body).toContain('<title>LE</title>');
    const missing = await send(server, { path: '/missing.js', headers: auth() });
    expect(missing.status).toBe(404);
  });

  it('refuses paths that leave the renderer folder', async () => {
    for (const p of [
      '/../package.json',
      '/%2e%2e/%2e%2e/etc/passwd',
      '/..%2fsecret',
      '/a%5c..%5c..%5cx',
      '/%00',
      '/%E0%A4%A',
    ]) {
      const reply = await send(server, { path: p, headers: auth() });
      expect([400, 404], p).toContain(reply.status);
      expect(reply.body).not.toContain('root:');
    }
    expect(resolveStaticPath('/srv/r', '/../x')).toBeNull();
    expect(resolveStaticPath('/srv/r', '/%2e%2e/x')).toBeNull();
    expect(resolveStaticPath('/srv/r', '/a/b.js')).toBe('/srv/r/a/b.js');
  });
});

describe('auth helpers', () => {
  it('compares tokens safely', () => {
    expect(tokensEqual('abc', 'abc')).toBe(true);
    expect(tokensEqual('abc', 'abd')).toBe(false);
    expect(tokensEqual('abc', 'abcd')).toBe(false);
    expect(tokensEqual('abc', null)).toBe(false);
  });
  it('accepts only loopback Host headers on a loopback server', () => {
    expect(hostAllowed('127.0.0.1:80', '127.0.0.1')).toBe(true);
    expect(hostAllowed('localhost:80', '127.0.0.1')).toBe(true);
    expect(hostAllowed('[::1]:80', '127.0.0.1')).toBe(true);
    expect(hostAllowed('attacker.test:80', '127.0.0.1')).toBe(false);
    expect(hostAllowed(undefined, '127.0.0.1')).toBe(false);
    expect(hostAllowed('box.lan:80', '0.0.0.0')).toBe(true);
  });
});
