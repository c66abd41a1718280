/**
 * The library in serve mode, end to end, in headless Chromium: an empty library offers the demos;
 * a folder of real images with broken files in it is ingested, its thumbnails really load, the
 * skipped list names each broken file with its reason, the detail view shows the original; a
 * folder is removed (its files stay); the model input is validated and applied; the Shapes demo
 * fills a virtualised grid of 2,000 images; an ingest is cancelled half-way, keeps what it did,
 * and a rescan completes it. Every page fails its test on any console error, uncaught exception
 * or CSP violation that the test did not provoke on purpose.
 */
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  callApi,
  openPage,
  shot,
  useHarness,
  visibleThumbnails,
  waitForThumbnails,
} from './harness';
import { bigFolder, makeMixedFolder, type MixedFolder } from './images';

const h = useHarness();
let mixed: MixedFolder;
let big: { root: string; count: number };

beforeAll(async () => {
  [mixed, big] = await Promise.all([makeMixedFolder(), bigFolder()]);
});

afterAll(async () => {
  if (mixed) await rm(mixed.root, { recursive: true, force: true });
});

/** Removes every folder through the API, so each test starts from an empty library. */
async function emptyLibrary(): Promise<void> {
  const { body } = await callApi<{ folders: { id: number }[] }>(h, 'openLibrary');
  for (const folder of body.value?.folders ?? []) {
    expect((await callApi(h, 'removeFolder', { folderId: folder.id })).status).toBe(200);
  }
}

describe('library in the browser', () => {
  it('ingests a folder with broken files: thumbnails, skipped list, detail view, removal', async () => {
    await emptyLibrary();
    const { context, page, problems } = await openPage(h, 'dark');
    expect(new URL(page.url()).searchParams.has('token')).toBe(false);

    // The header shows the backend chosen automatically (nothing forces one in this suite: a
    // forced backend once hid a crash every user hit), with details in a popover.
    const status = await callApi<{
      engine: { backend: string; requested: string | null; attempts: { package: string }[] };
    }>(h, 'getStatus');
    const engine = status.body.value!.engine;
    expect(engine.requested).toBeNull();
    const backend = page.getByRole('button', { name: `Backend: ${engine.backend}` });
    await backend.waitFor();
    const header = await page.locator('header').innerText();
    expect(header).toContain('Browser (HTTP)');
    expect(header).toContain(h.server.dataDir);
    await backend.click();
    const popover = page.locator('#backend-details');
    await popover.waitFor({ state: 'visible' });
    const backendDetails = await popover.innerText();
    expect(backendDetails).toContain('Tried, in order of preference');
    // Every attempt is listed, the two packages that both register `tensorflow` included.
    expect(await popover.locator('ol > li').count()).toBe(engine.attempts.length);
    for (const attempt of engine.attempts) expect(backendDetails).toContain(attempt.package);
    expect(await popover.locator('.state-active').count()).toBe(1);
    await page.keyboard.press('Escape');
    await popover.waitFor({ state: 'hidden' });

    // The empty state explains, and offers the two demos.
    await page.getByText('Your library is empty').waitFor();
    expect(await page.getByRole('button', { name: 'Fashion-MNIST' }).isEnabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Shapes' }).isEnabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Browse…' }).count()).toBe(0);
    await shot(page, '01-empty-library');

    // Ctrl+O jumps to the path field; Enter adds the folder.
    await page.keyboard.press('Control+o');
    const input = page.getByLabel('Add a folder of images');
    expect(await input.evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);
    await page.keyboard.type(mixed.root);
    await page.keyboard.press('Enter');

    const row = page.locator('li[data-folder-id]').filter({ hasText: mixed.root });
    await row.getByText('6 images').waitFor();
    const rowText = await row.innerText();
    expect(rowText).toContain('3 failed');
    expect(rowText).toContain('1 other file ignored');
    expect(rowText).toContain('64 px RGB, crop');
    expect(await row.locator('button.select').getAttribute('aria-current')).toBe('true');

    // Every good image has a thumbnail that really decoded, in path order; nothing else does.
    const thumbs = await waitForThumbnails(page, mixed.good.length);
    expect(thumbs.map((t) => t.alt)).toEqual(mixed.good.map((g) => g.relPath).sort());
    await shot(page, '02-folder-grid');

    // The skipped list names each broken file with its reason; ignored files are not in it.
    await page.getByRole('tab', { name: /Skipped/ }).click();
    const rows = page.locator('section.skipped tbody tr');
    await expect.poll(() => rows.count()).toBe(mixed.bad.length);
    const listed = await rows.allInnerTexts();
    for (const bad of mixed.bad) {
      const line = listed.find((text) => text.startsWith(bad.relPath));
      expect(line, `${bad.relPath} in ${JSON.stringify(listed)}`).toMatch(bad.reason);
      expect(bad.kinds).toContain(
        await rows.filter({ hasText: bad.relPath }).getAttribute('data-kind'),
      );
    }
    for (const name of mixed.ignored) expect(listed.join('\n')).not.toContain(name);
    const onlyEmpty = page.getByRole('button', { name: /^Empty file/ });
    await onlyEmpty.click();
    await expect.poll(() => rows.count()).toBe(1);
    expect(await onlyEmpty.getAttribute('aria-pressed')).toBe('true');
    await shot(page, '03-skipped-list');

    // The detail view shows the original; arrow keys walk the images; Escape closes it.
    await page.getByRole('tab', { name: /Images/ }).click();
    await page.getByRole('button', { name: 'beach.jpg' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    const original = dialog.locator('img.original');
    await expect
      .poll(() => original.evaluate((img) => (img as { naturalWidth?: number }).naturalWidth))
      .toBe(300);
    const details = await dialog.locator('dl').innerText();
    expect(details).toContain('300 × 200 px');
    expect(details).toContain('JPEG');
    expect(details).toContain(path.join(mixed.root, 'beach.jpg'));
    await shot(page, '04-detail');
    await page.keyboard.press('ArrowRight');
    await dialog.getByRole('heading', { name: 'city.webp' }).waitFor();
    expect(await dialog.locator('dl').innerText()).toContain('90 × 160 px');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });

    // A folder that does not exist: a readable, dismissible alert naming it.
    problems.expect(
      (m) => m.location().url.endsWith('/api/addFolder') && m.text().includes('status of 4'),
    );
    const missing = path.join(mixed.root, 'no-such-folder');
    await input.fill(missing);
    await input.press('Enter');
    const alert = page.getByRole('alert').filter({ hasText: missing });
    await alert.waitFor();
    expect(await alert.innerText()).toContain('is not available');
    await alert.getByRole('button', { name: 'Dismiss this error' }).click();
    await alert.waitFor({ state: 'detached' });

    // Remove asks first, says the files stay; Escape keeps the folder, the button removes it.
    await row.getByRole('button', { name: `Remove ${mixed.root}` }).click();
    const confirm = page.getByRole('dialog');
    expect(await confirm.innerText()).toContain('The files themselves are not deleted');
    await shot(page, '05-remove-confirm');
    await page.keyboard.press('Escape');
    await confirm.waitFor({ state: 'detached' });
    expect(await row.count()).toBe(1);
    await row.getByRole('button', { name: `Remove ${mixed.root}` }).click();
    await confirm.getByRole('button', { name: 'Remove from library' }).click();
    await page.getByText('Your library is empty').waitFor();
    expect(existsSync(path.join(mixed.root, 'beach.jpg'))).toBe(true);

    expect(await problems.list()).toEqual([]);
    await context.close();
  });

  it('validates the model input and applies it to the folder (light theme)', async () => {
    await emptyLibrary();
    const { context, page, problems } = await openPage(h, 'light');
    await page.getByText('Your library is empty').waitFor();

    // A folder dropped on the window: a browser cannot say where it is, so the page says so and
    // puts the cursor in the path field (in Electron, the preload's pathForFile gives the path).
    // (A string: the tests' TypeScript has no DOM types, the page has DataTransfer.)
    const dropped = await page.evaluateHandle(
      '(() => { const d = new DataTransfer(); d.items.add(new File([], "photos")); return d; })()',
    );
    await page.dispatchEvent('main', 'dragenter', { dataTransfer: dropped });
    await page.getByText('Drop a folder to add it to the library').waitFor();
    await shot(page, '06-drop-overlay-light');
    await page.dispatchEvent('main', 'drop', { dataTransfer: dropped });
    const note = page.getByRole('status').filter({ hasText: 'does not reveal where a dropped' });
    await note.waitFor();
    await page.getByText('Drop a folder to add it to the library').waitFor({ state: 'detached' });
    const input = page.getByLabel('Add a folder of images');
    expect(await input.evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);

    await page.getByText('Model input:').click();
    const size = page.getByLabel('Size');
    await size.fill('8');
    await page.getByText('The size must be between 16 and 256 pixels.').waitFor();
    await input.fill(mixed.root);
    await note.waitFor({ state: 'detached' });
    expect(await page.getByRole('button', { name: 'Add folder' }).isDisabled()).toBe(true);
    await size.fill('28');
    await page.getByLabel('Greyscale').check();
    await page.getByLabel('Pad to a square').check();
    const summary = page.locator('summary').filter({ hasText: 'Model input:' });
    expect(await summary.innerText()).toContain('28 px greyscale, pad on #ffffff');
    await shot(page, '07-model-input-light');

    await page.getByRole('button', { name: 'Add folder' }).click();
    const row = page.locator('li[data-folder-id]').filter({ hasText: mixed.root });
    await row.getByText('6 images').waitFor();
    expect(await row.innerText()).toContain('28 px greyscale, pad on #ffffff');
    await waitForThumbnails(page, mixed.good.length);
    await shot(page, '08-folder-light');

    expect(await problems.list()).toEqual([]);
    await context.close();
  });

  it('adds the Shapes demo in one click and scrolls its 2,000 thumbnails', async () => {
    await emptyLibrary();
    const { context, page, problems } = await openPage(h, 'dark');
    await page.getByRole('button', { name: 'Shapes' }).click();
    // Progress first (generating, then ingesting), then thumbnails as they are committed.
    await page.locator('section.job').first().waitFor();
    await waitForThumbnails(page, 12);
    await shot(page, '09-demo-ingesting');
    await page.locator('section.job').waitFor({ state: 'detached', timeout: 30_000 });
    const tab = page.getByRole('tab', { name: /Images/ });
    await expect.poll(() => tab.innerText()).toMatch(/2,000/);

    // Virtualised: a few rows of cells exist, not 2,000; the last ones load when scrolled to.
    expect(await page.locator('.viewport li').count()).toBeLessThan(120);
    await page.locator('.viewport').evaluate((el) => (el.scrollTop = el.scrollHeight));
    await expect
      .poll(async () => (await visibleThumbnails(page)).map((t) => t.alt))
      .toContain('shape-1999.png');
    await waitForThumbnails(page, 6);
    expect(await page.locator('.viewport li').count()).toBeLessThan(120);
    await shot(page, '10-demo-scrolled');

    expect(await problems.list()).toEqual([]);
    await context.close();
  });

  it('cancels an ingest half-way, keeps what was done, and a rescan completes it', async () => {
    await emptyLibrary();
    const { context, page, problems } = await openPage(h, 'dark');
    // A cancelled addFolder answers 409 CANCELLED, which Chromium logs.
    problems.expect(
      (m) => m.location().url.endsWith('/api/addFolder') && m.text().includes('status of 409'),
    );
    const input = page.getByLabel('Add a folder of images');
    await input.fill(big.root);
    await input.press('Enter');

    const job = page.locator('section.job');
    await job.getByRole('heading', { name: `Ingesting ${big.root}` }).waitFor();
    const cancel = job.getByRole('button', { name: 'Cancel' });
    await expect.poll(() => job.innerText(), { timeout: 10_000 }).toMatch(/img\/s/);
    await expect.poll(() => job.locator('strong').first().innerText()).not.toBe('0');
    await shot(page, '11-ingesting');
    // If this fails, the ingest finished first: make bigFolder() bigger.
    await cancel.click({ timeout: 5_000 });

    const cancelled = page.getByRole('status').filter({ hasText: 'Cancelled' });
    await cancelled.waitFor();
    const text = await cancelled.innerText();
    const kept = Number(
      /([\d,]+) images? kept; Rescan to continue/.exec(text)?.[1]?.replace(/,/g, ''),
    );
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(big.count);
    expect(await page.getByRole('alert').count()).toBe(0);
    const row = page.locator('li[data-folder-id]').filter({ hasText: big.root });
    await row.getByText(`${kept} images`).waitFor();
    await waitForThumbnails(page, 6);
    await shot(page, '12-cancelled');

    await cancelled.getByRole('button', { name: 'Rescan' }).click();
    await job.waitFor();
    await job.waitFor({ state: 'detached', timeout: 30_000 });
    await row.getByText(`${big.count} images`).waitFor();
    expect(await row.innerText()).not.toContain('Not fully ingested');
    expect(await problems.list()).toEqual([]);
    await context.close();
  });
});
