/**
 * What every e2e file needs: one `latent-explorer serve` and one headless Chromium per file,
 * pages that fail their test on console errors and CSP violations, API calls made the way a
 * script would make them, screenshots, and a look at the thumbnails the grid really shows.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { launchBrowser, watchProblems, type PageProblems } from './browser';
import { REPO_ROOT, startServe, type ServeHandle } from './serve';

export const SHOTS = path.join(REPO_ROOT, 'test-results', 'e2e');

export interface Harness {
  readonly server: ServeHandle;
  readonly browser: Browser;
}

/** Starts the server and the browser before the file's tests and stops them after. */
export function useHarness(): Harness {
  let server: ServeHandle | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    // Assigned as each one is ready, so afterAll cleans up whatever started even if one failed.
    await Promise.all([
      startServe().then((s) => (server = s)),
      launchBrowser().then((b) => (browser = b)),
    ]);
  });
  afterAll(async () => {
    // Browser first: killing the server under an open page would log connection errors.
    await browser?.close();
    await server?.stop();
  });
  return {
    get server() {
      if (!server) throw new Error('the server is not running');
      return server;
    },
    get browser() {
      if (!browser) throw new Error('the browser is not running');
      return browser;
    },
  };
}

export interface OpenedPage {
  context: BrowserContext;
  page: Page;
  problems: PageProblems;
}

export async function openPage(
  h: Harness,
  colorScheme: 'dark' | 'light',
  viewport = { width: 1280, height: 860 },
): Promise<OpenedPage> {
  const context = await h.browser.newContext({ viewport, colorScheme });
  const page = await context.newPage();
  const problems = await watchProblems(page);
  await page.goto(h.server.url);
  return { context, page, problems };
}

export function token(h: Harness): string {
  return new URL(h.server.url).searchParams.get('token') ?? '';
}

/** Calls the API the way a script would: with the token as a bearer header. */
export async function callApi<T = unknown>(
  h: Harness,
  method: string,
  req: unknown = {},
): Promise<{ status: number; body: { ok: boolean; value?: T; error?: { code: string } } }> {
  const res = await fetch(`${h.server.origin}/api/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token(h)}` },
    body: JSON.stringify(req),
  });
  return { status: res.status, body: (await res.json()) as never };
}

export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
}

export interface ShownThumbnail {
  alt: string;
  naturalWidth: number;
  complete: boolean;
}

/** The thumbnails inside the grid's visible area, in order, with whether they really loaded. */
export function visibleThumbnails(page: Page): Promise<ShownThumbnail[]> {
  return page.locator('.viewport').evaluate((viewport) => {
    const box = viewport.getBoundingClientRect();
    return [...viewport.querySelectorAll('img')]
      .filter((img) => {
        const r = img.getBoundingClientRect();
        return r.bottom > box.top && r.top < box.bottom;
      })
      .map((img) => ({ alt: img.alt, naturalWidth: img.naturalWidth, complete: img.complete }));
  });
}

/** Waits until at least `min` thumbnails are visible and every visible one has decoded. */
export async function waitForThumbnails(page: Page, min: number): Promise<ShownThumbnail[]> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const shown = await visibleThumbnails(page);
    if (shown.length >= min && shown.every((t) => t.complete && t.naturalWidth > 0)) return shown;
    if (Date.now() > deadline) {
      throw new Error(`thumbnails did not load: ${JSON.stringify(shown)}`);
    }
    await page.waitForTimeout(100);
  }
}
