/**
 * Training in serve mode, end to end, in headless Chromium on the automatic backend: starting a run on
 * an empty library shows the core's BAD_REQUEST message in the form; with a folder of 200 small
 * greyscale images, a conv VAE is trained from the UI with small settings; its loss chart gets
 * points live; it is paused (button) and resumed (Space), cancelled (which keeps a checkpoint)
 * and resumed from that checkpoint; the reconstruction grid appears after an epoch; it
 * completes; the prior is sampled; an evaluation is cancelled, then run to its IWAE bound; and
 * a fresh page (light theme) shows the finished run from its stored history. Every page fails
 * its test on a console error or CSP violation it did not provoke on purpose.
 */
import { rm } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callApi, openPage, shot } from './harness';
import { makeShapesFolder, useTrainingHarness } from './training-harness';

const h = useTrainingHarness();
let shapes: string;

beforeAll(async () => {
  shapes = await makeShapesFolder(200);
});

afterAll(async () => {
  if (shapes) await rm(shapes, { recursive: true, force: true });
});

async function openTraining(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Sections' }).getByText('Training').click();
  await page.getByRole('heading', { name: 'Runs' }).waitFor();
}

/** The state of the selected run, as its header's badge says. */
function headerState(page: Page): Promise<string | null> {
  return page.locator('section.header .badge').getAttribute('data-state');
}

async function waitForState(page: Page, state: string, timeout = 30_000): Promise<void> {
  await page.locator(`section.header .badge[data-state="${state}"]`).waitFor({ timeout });
}

describe('training in the browser', () => {
  it('shows the core’s message when the library is empty', async () => {
    const { context, page, problems } = await openPage(h, 'dark');
    problems.expect(
      (m) => m.location().url.endsWith('/api/startTraining') && m.text().includes('status of 400'),
    );
    await openTraining(page);
    await page.getByText('Train a model on your images').waitFor();
    await page.getByRole('button', { name: 'New run' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'New training run' });
    await dialog.waitFor();
    expect(await dialog.innerText()).toContain('The library is empty');

    // A setting the contract refuses is named next to its field.
    const latent = dialog.getByLabel('Latent size');
    await latent.fill('1');
    await dialog.getByRole('button', { name: 'Start training' }).click();
    const alert = dialog.getByRole('alert');
    await alert.waitFor();
    expect(await alert.innerText()).toContain('model.latentDim');
    expect(await latent.getAttribute('aria-invalid')).toBe('true');
    const described = (await latent.getAttribute('aria-describedby')) ?? '';
    expect(await dialog.locator(`[id="${described.split(' ').at(-1)}"]`).innerText()).toMatch(
      />=\s*2/,
    );
    await shot(page, 'training-01-field-error');

    // Without it, the core says why it cannot train.
    await latent.fill('');
    await dialog.getByRole('button', { name: 'Start training' }).click();
    await expect.poll(() => alert.innerText()).toMatch(/library is empty[\s\S]*BAD_REQUEST/);
    expect(await latent.getAttribute('aria-invalid')).toBeNull();
    await shot(page, 'training-02-empty-library-error');
    // Escape closes the dialog.
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(await problems.list()).toEqual([]);
    await context.close();
  });

  it('trains from the UI: live curves, pause/resume, cancel/resume, samples, evaluation', async () => {
    const added = await callApi(h, 'addFolder', {
      folder: shapes,
      spec: { size: 28, channels: 1, fit: 'cover', background: { r: 0, g: 0, b: 0 } },
    });
    expect(added.status).toBe(200);

    // Tall enough that every panel of the run is on the screenshots.
    const { context, page, problems } = await openPage(h, 'dark', { width: 1280, height: 1500 });
    // The evaluation cancelled on purpose answers CANCELLED (HTTP 409).
    problems.expect(
      (m) => m.location().url.endsWith('/api/evaluateRun') && m.text().includes('status of 409'),
    );
    await openTraining(page);
    await page.getByRole('button', { name: 'New run' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'New training run' });
    await dialog.waitFor();
    // The folder is selected, and the defaults for 28 px greyscale are the placeholders.
    expect(await dialog.getByRole('checkbox').isChecked()).toBe(true);
    expect(await dialog.innerText()).toContain('200 images · 28 px greyscale');
    expect(await dialog.getByLabel('Latent size').getAttribute('placeholder')).toBe('16 (default)');
    await dialog.getByLabel('Latent size').fill('4');
    await dialog.getByLabel('Epochs').fill('3');
    await dialog.getByText('Advanced').click();
    await dialog.getByLabel('Architecture').selectOption('conv');
    await dialog.getByLabel('Batch size').fill('16');
    await shot(page, 'training-03-new-run-form');
    await dialog.getByRole('button', { name: 'Start training' }).click();
    await dialog.waitFor({ state: 'hidden', timeout: 30_000 });

    // Live: the loss chart gets points as steps stream in (a few per second).
    const chart = page.locator('.chart-host[data-points]').first();
    await expect
      .poll(async () => Number(await chart.getAttribute('data-points')), { timeout: 20_000 })
      .toBeGreaterThanOrEqual(3);
    const header = page.locator('section.header');
    // The run shows the backend its worker really trains on: the automatic choice.
    const status = await callApi<{ engine: { backend: string } }>(h, 'getStatus');
    expect(await header.innerText()).toContain(status.body.value!.engine.backend);

    // Pause with the button; the run says so.
    await header.getByRole('button', { name: 'Pause' }).click();
    await waitForState(page, 'paused');
    await expect
      .poll(() => page.locator('.loss-chart path.s-loss').getAttribute('d'))
      .toMatch(/^M/);
    await shot(page, 'training-04-paused');

    // Space resumes it (focus in the page, not in a form field).
    await page.locator('main').focus();
    await page.keyboard.press('Space');
    await waitForState(page, 'running');

    // Cancel keeps a checkpoint; Resume continues from it.
    await header.getByRole('button', { name: 'Cancel' }).click();
    await waitForState(page, 'cancelled');
    expect(await header.innerText()).toMatch(/checkpoint at step \d+/);
    await header.getByRole('button', { name: 'Resume' }).click();
    await waitForState(page, 'running');

    // After an epoch: validation reconstructions, a validation point, active units.
    const pairs = page.locator('section:has(> h3:text-is("Reconstructions")) li[data-image-id]');
    await expect.poll(() => pairs.count(), { timeout: 30_000 }).toBeGreaterThan(0);
    await expect
      .poll(() => page.locator('.loss-chart .validation circle').count())
      .toBeGreaterThan(0);
    await shot(page, 'training-05-after-epoch');

    await waitForState(page, 'completed', 45_000);
    expect(await headerState(page)).toBe('completed');
    expect(await header.locator('[data-stat="epoch"]').innerText()).toBe('3 / 3');
    const runId = await header.getAttribute('data-run-id');
    expect(runId).toMatch(/^run-/);

    // Prior samples: 16 images, new ones (another seed) on each click.
    await page.getByRole('button', { name: 'Sample 16' }).click();
    const samples = page.getByRole('img', { name: /^Prior sample/ });
    await expect.poll(() => samples.count(), { timeout: 20_000 }).toBe(16);
    const seed = page.getByText(/· seed \d+/);
    const firstSeed = await seed.innerText();
    await page.getByRole('button', { name: 'Sample again' }).click();
    await expect.poll(() => seed.innerText()).not.toBe(firstSeed);

    // Evaluation: cancellable, then run to completion with the IWAE bound.
    await page.getByRole('button', { name: 'Evaluate' }).click();
    const cancel = page.getByRole('button', { name: 'Cancel evaluation' });
    await expect.poll(() => cancel.isEnabled(), { timeout: 10_000 }).toBe(true);
    await cancel.click();
    await page.getByText('Evaluation cancelled.').waitFor({ timeout: 15_000 });
    await page.getByRole('button', { name: 'Evaluate' }).click();
    const report = page.locator('dl[data-report]');
    await report.waitFor({ timeout: 30_000 });
    expect(await report.innerText()).toMatch(/IWAE k=100/);
    await shot(page, 'training-06-completed');
    expect(await problems.list()).toEqual([]);
    await context.close();

    // A fresh page (light theme) shows the finished run from its stored history.
    const light = await openPage(h, 'light', { width: 1280, height: 1500 });
    await openTraining(light.page);
    await light.page.locator(`li[data-run-id="${runId}"] button.select`).click();
    const stored = light.page.locator('.chart-host[data-points]').first();
    await expect
      .poll(async () => Number(await stored.getAttribute('data-points')))
      .toBeGreaterThan(0);
    const libraryPairs = light.page.locator(
      'section:has(> h3:text-is("Reconstructions")) li[data-image-id]',
    );
    await expect.poll(() => libraryPairs.count(), { timeout: 20_000 }).toBeGreaterThan(0);
    await light.page.locator('.loss-chart .overlay').hover();
    await light.page.locator('.chart-tooltip:not([hidden])').waitFor();
    await shot(light.page, 'training-07-light-history');

    // Delete asks first; then the run is gone from the list (and from the data directory).
    await light.page.getByRole('button', { name: `Delete ${runId}` }).click();
    const confirm = light.page.getByRole('dialog', { name: 'Delete this run?' });
    await confirm.getByRole('button', { name: 'Delete run' }).click();
    await light.page.getByText('No runs yet.').waitFor();
    expect((await callApi<unknown[]>(h, 'listRuns')).body.value).toEqual([]);
    expect(await light.problems.list()).toEqual([]);
    await light.context.close();
  });
});
