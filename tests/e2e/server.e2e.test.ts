/**
 * Serve mode's own guarantees, end to end: the API and the media URLs refuse callers without the
 * session token, media paths other than /media/(thumb|original)/<id> never reach the disk, the
 * token never reaches another server on 127.0.0.1, and the page says so when the server cannot be
 * reached, then recovers.
 */
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import { readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mediaKeyFor } from '../../app/contract/media';
import { watchProblems } from './browser';
import { callApi, shot, token, useHarness, waitForThumbnails } from './harness';
import { makeMixedFolder, type MixedFolder } from './images';

const h = useHarness();
let mixed: MixedFolder;
/** Image ids by path, once the folder is ingested. */
const ids = new Map<string, number>();

beforeAll(async () => {
  mixed = await makeMixedFolder();
  const added = await callApi(h, 'addFolder', { folder: mixed.root });
  expect(added.status).toBe(200);
  const page = await callApi<{ images: { id: number; relPath: string }[] }>(h, 'listImages', {
    status: 'ok',
  });
  for (const image of page.body.value?.images ?? []) ids.set(image.relPath, image.id);
  expect(ids.size).toBe(mixed.good.length);
});

afterAll(async () => {
  if (mixed) await rm(mixed.root, { recursive: true, force: true });
});

/**
 * A GET with the path sent exactly as given: fetch() would resolve `..` before sending it, and
 * the point is to see what the server does with a path that tries to climb out.
 */
function rawGet(
  rawPath: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; type: string; body: Buffer }> {
  const { hostname, port } = new URL(h.server.origin);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path: rawPath, method: 'GET', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          type: String(res.headers['content-type'] ?? ''),
          body: Buffer.concat(chunks),
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

const bearer = () => ({ authorization: `Bearer ${token(h)}` });

describe('serve mode refuses what it must', () => {
  it('refuses API calls without the session token, or with a wrong one', async () => {
    for (const authorization of [undefined, 'Bearer not-the-token']) {
      const res = await fetch(`${h.server.origin}/api/getStatus`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          // A POST without Origin and Authorization is refused earlier (403).
          origin: h.server.origin,
          ...(authorization ? { authorization } : {}),
        },
        body: '{}',
      });
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
    }
  });

  it('serves thumbnails and originals only to the session', async () => {
    const id = ids.get('beach.jpg');
    expect(await rawGet(`/media/thumb/${id}`)).toMatchObject({ status: 401 });
    expect(await rawGet(`/media/original/${id}`)).toMatchObject({ status: 401 });
    const wrong = await rawGet(`/media/thumb/${id}`, { cookie: 'latent-explorer=wrong' });
    expect(wrong.status).toBe(401);
    const port = new URL(h.server.origin).port;
    const cookie = await rawGet(`/media/thumb/${id}`, { cookie: `le_token_${port}=${token(h)}` });
    expect(cookie.status).toBe(401);
    const keyed = await rawGet(`/media/thumb/${id}?key=${mediaKeyFor(token(h))}`);
    expect(keyed.status).toBe(200);

    const thumb = await rawGet(`/media/thumb/${id}`, bearer());
    expect(thumb.status).toBe(200);
    expect(thumb.type).toBe('image/webp');
    expect(thumb.body.subarray(8, 12).toString('latin1')).toBe('WEBP');
    const original = await rawGet(`/media/original/${id}`, bearer());
    expect(original.status).toBe(200);
    expect(original.type).toBe('image/jpeg');
    expect(original.body.equals(await readFile(path.join(mixed.root, 'beach.jpg')))).toBe(true);
  });

  it('refuses media paths that are not /media/(thumb|original)/<id>', async () => {
    const id = ids.get('beach.jpg') ?? 1;
    const attempts = [
      '/media/thumb/../../etc/passwd',
      '/media/thumb/%2e%2e/%2e%2e/etc/passwd',
      '/media/thumb/..%2f..%2fetc%2fpasswd',
      `/media/original/${id}/../../../../etc/passwd`,
      `/media/original/${encodeURIComponent(path.join(mixed.root, 'beach.jpg'))}`,
      '/media/original//etc/passwd',
      '/media/thumb/abc',
      '/media/thumb/0',
      `/media/thumb/${id}.webp`,
      '/media/other/1',
    ];
    for (const attempt of attempts) {
      const res = await rawGet(attempt, bearer());
      expect([400, 403, 404], `${attempt} answered ${res.status}`).toContain(res.status);
      expect(res.body.toString('utf8'), attempt).not.toMatch(/root:|\xff\xd8/);
    }
    // A well-formed id that is not in the library.
    expect((await rawGet('/media/thumb/999999', bearer())).status).toBe(404);
  });
});

interface Seen {
  url: string;
  headers: IncomingHttpHeaders;
}

/** Another web server on 127.0.0.1, on another port: a dev server, a notebook, or an attacker. */
async function startNeighbour(
  lePort: string,
  imageId: number,
): Promise<{
  server: Server;
  origin: string;
  seen: Seen[];
}> {
  const seen: Seen[] = [];
  const le = `http://127.0.0.1:${lePort}`;
  // It also tries what a hostile page could: call the API, open the event stream, load media.
  const page = `<!doctype html><title>neighbour</title><img src="/pixel.gif">
<script>
  (async () => {
    await fetch('/probe', { credentials: 'include' }).catch(() => {});
    await fetch('${le}/api/getStatus', { method: 'POST', credentials: 'include', mode: 'no-cors', body: '{}' }).catch(() => {});
    await fetch('${le}/api/events', { credentials: 'include', mode: 'no-cors' }).catch(() => {});
    const img = new Image();
    img.src = '${le}/media/thumb/${imageId}';
    await new Promise((resolve) => { img.onload = img.onerror = resolve; });
    document.title = 'done';
  })();
</script>`;
  const server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    if (req.url === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(page);
      return;
    }
    res.writeHead(404);
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, origin: `http://127.0.0.1:${port}`, seen };
}

describe('the token stays on its own port', () => {
  it('sends no token, cookie or media key to another server on 127.0.0.1', async () => {
    const lePort = new URL(h.server.origin).port;
    const id = ids.get('beach.jpg') ?? 1;
    const neighbour = await startNeighbour(lePort, id);
    const context = await h.browser.newContext({ viewport: { width: 1000, height: 700 } });
    try {
      const page = await context.newPage();
      const problems = await watchProblems(page);
      await page.goto(h.server.url);
      await page.getByRole('button', { name: /^Backend:/ }).waitFor();
      await waitForThumbnails(page, 1);
      expect(new URL(page.url()).searchParams.has('token')).toBe(false);
      expect(await context.cookies()).toEqual([]);
      // A reload of the tab keeps working: the token is in this tab's sessionStorage.
      await page.reload();
      await page.getByRole('button', { name: /^Backend:/ }).waitFor();
      await waitForThumbnails(page, 1);
      expect(await problems.list()).toEqual([]);

      // The same browser profile visits the neighbour, which then calls back into serve mode.
      const other = await context.newPage();
      // What serve mode answered, read from DevTools: the page itself cannot see it, because
      // Cross-Origin-Resource-Policy blocks every reply from reaching another origin anyway.
      const cdp = await context.newCDPSession(other);
      await cdp.send('Network.enable');
      // The two events of a request may come in either order: join them by request id.
      const urls = new Map<string, string>();
      const statuses = new Map<string, number>();
      cdp.on('Network.requestWillBeSent', (event) => urls.set(event.requestId, event.request.url));
      cdp.on('Network.responseReceivedExtraInfo', (event) =>
        statuses.set(event.requestId, event.statusCode),
      );
      const answered = () =>
        [...statuses].flatMap(([id, status]) => {
          const url = urls.get(id) ?? '';
          return url.startsWith(h.server.origin) ? [{ url, status }] : [];
        });
      await other.goto(neighbour.origin);
      await other.waitForFunction('document.title === "done"');
      const secrets = [token(h), mediaKeyFor(token(h))];
      expect(neighbour.seen.map((s) => s.url)).toEqual(
        expect.arrayContaining(['/', '/pixel.gif', '/probe']),
      );
      for (const request of neighbour.seen) {
        expect(request.headers.cookie, request.url).toBeUndefined();
        const text = JSON.stringify(request);
        for (const secret of secrets) expect(text, request.url).not.toContain(secret);
      }
      // Its calls into serve mode (API, event stream, a thumbnail) carried nothing and were refused.
      const deadline = Date.now() + 15_000;
      while (answered().length < 3 && Date.now() < deadline) await other.waitForTimeout(50);
      const answers = answered();
      expect(answers.map((a) => new URL(a.url).pathname).sort()).toEqual([
        '/api/events',
        '/api/getStatus',
        `/media/thumb/${id}`,
      ]);
      for (const answer of answers) expect([401, 403], answer.url).toContain(answer.status);
    } finally {
      await context.close();
      await new Promise((resolve) => neighbour.server.close(resolve));
    }
  });
});

describe('page without a server', () => {
  it('says so when the server cannot be reached, and recovers on Retry', async () => {
    const context = await h.browser.newContext({ viewport: { width: 1000, height: 600 } });
    const page = await context.newPage();
    const problems = await watchProblems(page);
    // Chromium logs the failed loads this test provokes.
    problems.expect((m) => m.location().url.endsWith('/api/getStatus'));
    // First a proxy-style error page instead of JSON, then no answer at all.
    await page.route('**/api/getStatus', (route) =>
      route.fulfill({ status: 502, contentType: 'text/html', body: '<h1>Bad gateway</h1>' }),
    );
    await page.goto(h.server.url);
    const failure = page.getByRole('alert');
    await failure.getByText('Cannot reach the Latent Explorer server').waitFor();
    expect(await failure.innerText()).toContain('not JSON (HTTP 502)');
    await shot(page, '13-unreachable');

    await page.unrouteAll();
    await page.route('**/api/getStatus', (route) => route.abort('connectionrefused'));
    await failure.getByRole('button', { name: 'Retry' }).click();
    await failure.getByText('Failed to fetch').waitFor();

    await page.unrouteAll();
    await failure.getByRole('button', { name: 'Retry' }).click();
    await page.getByRole('button', { name: /^Backend:/ }).waitFor();
    // The library the API filled is there.
    await page.locator('li[data-folder-id]').filter({ hasText: mixed.root }).waitFor();
    expect(await problems.list()).toEqual([]);
    await context.close();
  });
});
