/**
 * The foundation slice in serve mode, end to end: the page loads under its CSP, shows the active
 * tfjs backend, opens a folder of real images, shows what the scan found, and reports a missing
 * folder as a readable error; it shows the library the server already has open, survives an
 * unreachable server, and shows and cancels a running scan (also one another client started).
 * The API refuses callers without the session token. Every page fails its test on any console
 * error, uncaught exception or CSP violation that the test did not provoke on purpose.
 */
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, watchProblems, type PageProblems } from './browser';
import { makeImageFolder, type ImageFolder } from './images';
import { REPO_ROOT, startServe, type ServeHandle } from './serve';

const SHOTS = path.join(REPO_ROOT, 'test-results', 'e2e');

/**
 * A big folder tree that already exists, so a scan of it takes a while (about 2 s for the
 * 120 000 files of a Debian /usr on a small machine) without the test writing thousands of
 * files first (which takes far longer than scanning them). Override with LE_E2E_LARGE_FOLDER.
 */
const LARGE_FOLDER = process.env.LE_E2E_LARGE_FOLDER ?? '/usr';

let server: ServeHandle;
let browser: Browser;
let images: ImageFolder;

beforeAll(async () => {
  await mkdir(SHOTS, { recursive: true });
  // Assigned as each one is ready, so afterAll cleans up whatever started even if another failed.
  await Promise.all([
    startServe().then((s) => (server = s)),
    launchBrowser().then((b) => (browser = b)),
    makeImageFolder().then((i) => (images = i)),
  ]);
});

afterAll(async () => {
  // Browser first: killing the server under an open page would log connection errors.
  await browser?.close();
  await server?.stop();
  if (images) await rm(images.root, { recursive: true, force: true });
});

async function openPage(colorScheme: 'dark' | 'light'): Promise<{
  context: BrowserContext;
  page: Page;
  problems: PageProblems;
}> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 820 }, colorScheme });
  const page = await context.newPage();
  const problems = await watchProblems(page);
  await page.goto(server.url);
  return { context, page, problems };
}

/** Calls the API the way a script would: with the token as a bearer header. */
function callApi(method: string, req: unknown): Promise<Response> {
  const token = new URL(server.url).searchParams.get('token') ?? '';
  return fetch(`${server.origin}/api/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(req),
  });
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

describe('serve mode API', () => {
  it('refuses calls without the session token', async () => {
    const res = await fetch(`${server.origin}/api/getStatus`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
  });

  it('refuses a wrong token', async () => {
    const res = await fetch(`${server.origin}/api/getStatus`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer not-the-token' },
      body: '{}',
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
  });
});

describe('library slice in the browser', () => {
  it('opens a folder of images and reports a missing folder', async () => {
    const { context, page, problems } = await openPage('dark');

    // The token moved into a cookie and out of the address bar.
    expect(new URL(page.url()).searchParams.has('token')).toBe(false);

    const backend = page.getByRole('button', { name: 'Backend: cpu' });
    await backend.waitFor();
    expect(await page.locator('header').textContent()).toContain('Browser (HTTP)');
    expect(await page.locator('header').textContent()).toContain(server.dataDir);
    await shot(page, '01-start');

    // The backend popover lists what was tried.
    await backend.click();
    const details = page.locator('#backend-details');
    await details.waitFor({ state: 'visible' });
    expect(await details.textContent()).toContain('Tried, in order of preference');
    expect(await details.locator('li').filter({ hasText: 'Active' }).textContent()).toContain(
      'cpu',
    );
    await shot(page, '02-backend-popover');
    await page.keyboard.press('Escape');
    await details.waitFor({ state: 'hidden' });

    // Ctrl+O jumps to the path field (serve mode has no native picker).
    expect(await page.getByRole('button', { name: 'Browse…' }).count()).toBe(0);
    await page.keyboard.press('Control+o');
    const input = page.getByLabel('Image folder');
    expect(await input.evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);

    await page.keyboard.type(images.root);
    await page.keyboard.press('Enter');
    const count = page.getByRole('heading', { name: '4 images' });
    await count.waitFor();

    const summary = page.locator('section.summary');
    expect(await summary.textContent()).toContain(images.root);
    const formats = await summary.locator('table.formats tbody tr').allInnerTexts();
    expect(formats.map((row) => row.split(/\s+/).slice(0, 2).join(' '))).toEqual([
      'PNG 3',
      'JPEG 1',
    ]);
    const stats = await summary.locator('dl.stats').innerText();
    expect(stats).toContain(`Total size\n${images.imageBytes} B`);
    expect(stats).toContain(`Other files (ignored)\n${images.otherFileCount}`);
    expect(stats).toContain('Skipped\n1');
    const skipped = await summary.locator('details.skipped').innerText();
    expect(skipped).toContain(images.brokenLink);
    expect(skipped).toContain('broken link');
    expect(skipped).not.toContain('.secret.png');
    await shot(page, '03-library');

    // A missing folder: a readable, dismissible alert naming the path (the server answers 404).
    const missing = path.join(images.root, 'no-such-folder');
    problems.expect(
      (m) =>
        m.location().url.endsWith('/api/openLibrary') &&
        m.text().includes('the server responded with a status of 404'),
    );
    await input.fill(missing);
    await input.press('Enter');
    const alert = page.getByRole('alert').filter({ hasText: missing });
    await alert.waitFor();
    expect(await alert.innerText()).toContain(`Folder not found: ${missing}`);
    expect(await alert.innerText()).toContain('NOT_FOUND');
    // The library that is open stays on screen.
    await count.waitFor();
    await shot(page, '04-missing-folder');
    await alert.getByRole('button', { name: 'Dismiss this error' }).click();
    await alert.waitFor({ state: 'detached' });

    expect(await problems.list()).toEqual([]);
    await context.close();
  });

  it('shows the library the server has open when the page loads (light theme)', async () => {
    // Open it as another client would, so this test does not depend on the one above.
    const answer = await callApi('openLibrary', { folder: images.root });
    expect(answer.status).toBe(200);

    const { context, page, problems } = await openPage('light');
    await page.getByRole('heading', { name: '4 images' }).waitFor();
    await shot(page, '05-reload-light');
    expect(await problems.list()).toEqual([]);
    await context.close();
  });

  it('says so when the server cannot be reached, and recovers on Retry', async () => {
    const context = await browser.newContext({ viewport: { width: 1000, height: 600 } });
    const page = await context.newPage();
    const problems = await watchProblems(page);
    // Chromium logs the failed loads this test provokes.
    problems.expect((m) => m.location().url.endsWith('/api/getStatus'));
    // First a proxy-style error page instead of JSON, then no answer at all.
    await page.route('**/api/getStatus', (route) =>
      route.fulfill({ status: 502, contentType: 'text/html', body: '<h1>Bad gateway</h1>' }),
    );
    await page.goto(server.url);
    const failure = page.getByRole('alert');
    await failure.getByText('Cannot reach the Latent Explorer server').waitFor();
    expect(await failure.innerText()).toContain('not JSON (HTTP 502)');
    await shot(page, '08-unreachable');

    await page.unrouteAll();
    await page.route('**/api/getStatus', (route) => route.abort('connectionrefused'));
    await failure.getByRole('button', { name: 'Retry' }).click();
    await failure.getByText('Failed to fetch').waitFor();

    await page.unrouteAll();
    await failure.getByRole('button', { name: 'Retry' }).click();
    await page.getByRole('button', { name: 'Backend: cpu' }).waitFor();
    expect(await problems.list()).toEqual([]);
    await context.close();
  });

  it.skipIf(!existsSync(LARGE_FOLDER))(
    'shows a running scan with its progress and cancels it',
    async () => {
      expect((await callApi('openLibrary', { folder: images.root })).status).toBe(200);
      const { context, page, problems } = await openPage('dark');
      await page.getByRole('heading', { name: '4 images' }).waitFor();
      // A cancelled openLibrary answers 409 CANCELLED, which Chromium logs.
      problems.expect(
        (m) =>
          m.location().url.endsWith('/api/openLibrary') &&
          m.text().includes('the server responded with a status of 409'),
      );

      const input = page.getByLabel('Image folder');
      await input.fill(LARGE_FOLDER);
      await input.press('Enter');
      const job = page.locator('section.job');
      await job.waitFor();
      const title = await job.getByRole('heading').textContent();
      expect(title?.replace(/\s+/g, ' ').trim()).toBe(`Scanning ${LARGE_FOLDER}`);
      // The Cancel button is enabled once the job:started event has named the job.
      const cancel = job.getByRole('button', { name: 'Cancel' });
      await expect.poll(() => cancel.isEnabled(), { timeout: 10_000 }).toBe(true);
      expect(await job.innerText()).toMatch(/files\/s/);
      await shot(page, '06-scanning');
      // If this times out, the scan finished first: point LE_E2E_LARGE_FOLDER at a bigger tree.
      await cancel.click({ timeout: 5_000 });

      const cancelled = page.getByRole('status').filter({ hasText: 'Cancelled:' });
      await cancelled.waitFor();
      expect(await cancelled.innerText()).toContain(LARGE_FOLDER);
      await job.waitFor({ state: 'detached' });
      // Cancelling is not an error, and the library that was open stays open.
      expect(await page.getByRole('alert').count()).toBe(0);
      await page.getByRole('heading', { name: '4 images' }).waitFor();
      await shot(page, '07-cancelled');

      // A scan started by another client (here a script with the token) shows up here too, and
      // can be cancelled from here: the page follows the job events, not only its own calls.
      await page.getByRole('button', { name: 'Dismiss' }).click();
      const otherClient = callApi('openLibrary', { folder: LARGE_FOLDER });
      await job.waitFor();
      await job.getByRole('button', { name: 'Cancel' }).click({ timeout: 5_000 });
      const answer = await otherClient;
      expect(answer.status).toBe(409);
      expect(await answer.json()).toMatchObject({ ok: false, error: { code: 'CANCELLED' } });
      await cancelled.waitFor();
      await job.waitFor({ state: 'detached' });

      expect(await problems.list()).toEqual([]);
      await context.close();
    },
  );
});
