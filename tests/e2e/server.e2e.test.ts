/**
 * Serve mode's own guarantees, end to end: the API and the media URLs refuse callers without the
 * session token, media paths other than /media/(thumb|original)/<id> never reach the disk, and
 * the page says so when the server cannot be reached, then recovers.
 */
import { request } from 'node:http';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { watchProblems } from './browser';
import { callApi, shot, token, useHarness } from './harness';
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
    await page.getByRole('button', { name: 'Backend: cpu' }).waitFor();
    // The library the API filled is there.
    await page.locator('li[data-folder-id]').filter({ hasText: mixed.root }).waitFor();
    expect(await problems.list()).toEqual([]);
    await context.close();
  });
});
