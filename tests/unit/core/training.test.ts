import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunInfo, TrainingRequest } from '../../../app/contract';
import type { ExplorerService } from '../../../app/service/explorer-service';
import { batchBounds } from '../../../app/engine/worker/training-loop';
import { RunStore } from '../../../app/service/run-store';
import { forkSpawner, workerEntry } from '../../../app/service/worker-port';
import { GREY_28, makeService, makeTestEnv, writeImages, type TestEnv } from './fakes';
import { cli, cliBuilt } from './two-process-helpers';

// These tests fork the real engine worker, which `npm test` builds before the unit tests run.
const built = existsSync(workerEntry());

const SPEC = GREY_28;
const TINY: TrainingRequest = {
  model: { architecture: 'mlp', latentDim: 2, widths: [16] },
  epochs: 2,
  batchSize: 16,
  validationFraction: 0.2,
  checkpointEverySteps: 2,
  seed: 7,
};

async function writeDigits(folder: string, count: number): Promise<void> {
  await mkdir(folder, { recursive: true });
  await Promise.all(
    Array.from({ length: count }, (_, i) => {
      const pixels = Buffer.alloc(28 * 28);
      const row = 4 + (i % 20);
      for (let x = 4; x < 24; x++) pixels[row * 28 + x] = 255; // a bar whose height varies
      pixels[(i * 7) % 784] = 128; // and a pixel that makes every image unique
      return sharp(pixels, { raw: { width: 28, height: 28, channels: 1 } })
        .png()
        .toFile(path.join(folder, `d${i}.png`));
    }),
  );
}

function waitForState(
  service: ExplorerService,
  runId: string,
  states: RunInfo['state'][],
): Promise<RunInfo> {
  return new Promise((resolve) => {
    const off = service.events.on('train:state', (run) => {
      if (run.id === runId && states.includes(run.state)) {
        off();
        resolve(run);
      }
    });
  });
}

let env: TestEnv;
let service: ExplorerService;
beforeEach(async () => {
  env = await makeTestEnv();
  service = makeService(env.dataDir, { spawnWorker: forkSpawner({ backend: 'cpu' }) });
});
afterEach(async () => {
  await service.dispose();
  await env.cleanup();
});

describe.skipIf(!built)('training runs (worker process)', () => {
  it('trains to completion, keeps its metrics, and serves inference from the checkpoint', async () => {
    await writeDigits(path.join(env.root, 'digits'), 60);
    await service.addFolder({ folder: path.join(env.root, 'digits'), spec: SPEC });
    const epochs: number[] = [];
    service.events.on('train:epoch', (e) => epochs.push(e.epoch));
    const started = await service.startTraining(TINY);
    expect(started).toMatchObject({
      state: 'running',
      backend: 'cpu',
      model: { architecture: 'mlp', latentDim: 2, imageSize: 28, channels: 1 },
    });
    expect(started.trainImages + started.validationImages).toBe(60);
    expect(started.totalSteps).toBe(2 * batchBounds(started.trainImages, 16).length);
    await expect(service.startTraining(TINY)).rejects.toMatchObject({ code: 'BUSY' });
    const done = await waitForState(service, started.id, ['completed', 'failed']);
    expect(done).toMatchObject({ state: 'completed', epoch: 2, step: started.totalSteps });
    expect(done.checkpoint?.step).toBe(started.totalSteps);
    expect(done.bestValidationLoss).toBeGreaterThan(0);
    expect(epochs).toEqual([1, 2]);
    expect(await service.trainingStatus()).toBeNull();

    const detail = await service.getRun({ runId: started.id });
    expect(detail.epochs.map((e) => e.epoch)).toEqual([1, 2]);
    expect(detail.steps.length).toBeGreaterThan(0);
    expect(detail.epochs[1]?.validation?.negElbo).toBeGreaterThan(0);

    const images = await service.listImages({ status: 'ok', limit: 3 });
    const ids = images.images.map((i) => i.id);
    const posteriors = await service.encode({ runId: started.id, imageIds: ids });
    expect(posteriors).toHaveLength(3);
    expect(posteriors[0]?.mu).toHaveLength(2);
    expect(posteriors[0]?.logVar).toHaveLength(2);
    const decoded = await service.decode({
      runId: started.id,
      latents: [
        [0, 0],
        [1, -1],
      ],
    });
    expect(decoded[0]).toMatchObject({ width: 28, height: 28, channels: 1 });
    expect(Buffer.from(decoded[0]!.data, 'base64')).toHaveLength(784);
    const recon = await service.reconstruct({ runId: started.id, imageIds: ids });
    expect(recon).toHaveLength(3);
    const prior = await service.samplePrior({ runId: started.id, count: 4, seed: 3 });
    expect(prior.latents).toHaveLength(4);
    expect((await service.samplePrior({ runId: started.id, count: 4, seed: 3 })).latents).toEqual(
      prior.latents,
    );
    const report = await service.evaluateRun({ runId: started.id, iwaeSamples: 5 });
    expect(report.negElbo).toBeGreaterThan(0);
    expect(report.iwae!.negLogLikelihood).toBeLessThanOrEqual(report.negElbo + 1); // IWAE is the tighter bound (noise allowed)
    await expect(service.decode({ runId: started.id, latents: [[0, 0, 0]] })).rejects.toMatchObject(
      { code: 'BAD_REQUEST' },
    );
    await expect(service.encode({ runId: started.id, imageIds: [987654] })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(service.resumeTraining({ runId: started.id })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
    expect((await service.listRuns()).map((r) => r.id)).toEqual([started.id]);
  }, 120_000);

  it('stops with a checkpoint, resumes where it stopped, and survives a restart', async () => {
    await writeDigits(path.join(env.root, 'digits'), 60);
    await service.addFolder({ folder: path.join(env.root, 'digits'), spec: SPEC });
    const run = await service.startTraining({ ...TINY, epochs: 200 });
    await new Promise<void>((resolve) => {
      const off = service.events.on('train:state', (r) => {
        if (r.id === run.id && (r.checkpoint?.step ?? 0) >= 4) {
          off();
          resolve();
        }
      });
    });
    const paused = await service.pauseTraining({ runId: run.id });
    expect(paused.state).toBe('paused');
    expect((await service.trainingStatus())?.state).toBe('paused');
    await service.resumeTraining({ runId: run.id });
    const stopped = await service.cancelTraining({ runId: run.id });
    expect(stopped.state).toBe('cancelled');
    expect(stopped.checkpoint!.step).toBeGreaterThanOrEqual(4);
    const stepAtStop = stopped.checkpoint!.step;

    const resumed = await service.resumeTraining({ runId: run.id });
    expect(resumed.state).toBe('running');
    expect(resumed.step).toBe(stepAtStop);
    const again = await service.cancelTraining({ runId: run.id });
    expect(again.checkpoint!.step).toBeGreaterThanOrEqual(stepAtStop);

    // A run left "running" by a crash is reported as interrupted, and can be resumed.
    const store = new RunStore(env.dataDir);
    await store.save({ ...again, state: 'running' });
    const restarted = makeService(env.dataDir, { spawnWorker: forkSpawner({ backend: 'cpu' }) });
    try {
      const [listed] = await restarted.listRuns();
      expect(listed).toMatchObject({ id: run.id, state: 'interrupted' });
      expect(listed?.message).toMatch(/resume continues from the last checkpoint/);
      const back = await restarted.resumeTraining({ runId: run.id });
      expect(back.step).toBe(again.checkpoint!.step);
      await restarted.cancelTraining({ runId: run.id });
    } finally {
      await restarted.dispose();
    }
  }, 120_000);

  it('offers the defaults a run gets, by model input', async () => {
    const grey = await service.trainingDefaults({ size: 28, channels: 1 });
    expect(grey.model).toMatchObject({
      architecture: 'conv',
      imageSize: 28,
      channels: 1,
      likelihood: 'bernoulli',
    });
    expect(grey.settings).toMatchObject({
      epochs: 20,
      batchSize: 64,
      learningRate: 0.001,
      beta: 1,
      validationFraction: 0.1,
    });
    const colour = await service.trainingDefaults({ size: 64, channels: 3 });
    expect(colour.model).toMatchObject({ likelihood: 'gaussian', imageSize: 64 });
    expect(colour.model.latentDim).toBeGreaterThan(grey.model.latentDim);
    const mlp = await service.trainingDefaults({ size: 28, channels: 1, architecture: 'mlp' });
    expect(mlp.model.widths).toEqual([512]);
    expect(mlp.settings.batchSize).toBe(128);
    // What startTraining resolves with no options is exactly these defaults.
    await writeDigits(path.join(env.root, 'd'), 30);
    await service.addFolder({ folder: path.join(env.root, 'd'), spec: SPEC });
    const run = await service.startTraining({ epochs: 1 });
    expect(run.model).toEqual(grey.model);
    expect({ ...run.settings, folderIds: undefined, seed: undefined, epochs: 20 }).toMatchObject({
      ...grey.settings,
    });
    await service.cancelTraining({ runId: run.id });
  }, 60_000);

  it('refuses bad training requests with reasons', async () => {
    await expect(service.startTraining({})).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringMatching(/library is empty/),
    });
    await writeDigits(path.join(env.root, 'a'), 4);
    await writeDigits(path.join(env.root, 'b'), 4);
    await service.addFolder({ folder: path.join(env.root, 'a'), spec: SPEC });
    await service.addFolder({ folder: path.join(env.root, 'b'), spec: { ...SPEC, size: 32 } });
    await expect(service.startTraining({})).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringMatching(/different model inputs/),
    });
    await expect(service.startTraining({ folderIds: [99] })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(
      service.startTraining({
        folderIds: [1],
        model: { architecture: 'conv', widths: [8, 8, 8, 8, 8, 8] },
      }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(service.getRun({ runId: 'run-20260101-000000-abcd' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(
      service.pauseTraining({ runId: 'run-20260101-000000-abcd' }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const tiny = path.join(env.root, 'small');
    await mkdir(tiny);
    await writeFile(path.join(tiny, 'x.txt'), 'no images');
    const other = makeService(path.join(env.root, 'other-data'), {
      spawnWorker: forkSpawner({ backend: 'cpu' }),
    });
    try {
      await other.addFolder({ folder: tiny, spec: SPEC });
      await expect(other.startTraining({})).rejects.toMatchObject({
        code: 'BAD_REQUEST',
        message: expect.stringMatching(/No ingested images/),
      });
      expect((await other.listRuns())[0]).toMatchObject({ state: 'failed' });
    } finally {
      await other.dispose();
    }
  }, 60_000);
});

// Issue #7, defect 2: the real CLI, in its own process, exits right after training. The run's
// final state must be on disk by then (it used to be announced before it was written, so
// run.json said "running" and the next command marked the run interrupted).
describe.skipIf(!cliBuilt)('a run trained by the CLI process', () => {
  it('is recorded as completed, and the next command still says so', async () => {
    const dataDir = path.join(env.root, 'cli-data');
    await writeImages(path.join(env.root, 'pics'), 40);
    const ingest = await cli(dataDir, [
      'ingest',
      path.join(env.root, 'pics'),
      '--size',
      '28',
      '--channels',
      '1',
    ]);
    expect(ingest.code, ingest.stderr).toBe(0);
    for (let attempt = 0; attempt < 2; attempt++) {
      const trained = await cli(dataDir, [
        'train',
        '--json',
        '--epochs',
        '1',
        '--arch',
        'mlp',
        '--latent',
        '2',
        '--widths',
        '16',
        '--batch',
        '16',
        '--checkpoint-every',
        '2',
      ]);
      expect(trained.code, trained.stderr).toBe(0);
      const printed = JSON.parse(trained.stdout) as RunInfo;
      expect(printed.state).toBe('completed');
      const stored = JSON.parse(
        await readFile(path.join(dataDir, 'runs', printed.id, 'run.json'), 'utf8'),
      ) as RunInfo;
      expect(stored).toMatchObject({ state: 'completed', step: printed.totalSteps });
      const runs = await cli(dataDir, ['runs', '--json']);
      expect(runs.code, runs.stderr).toBe(0);
      const listed = (JSON.parse(runs.stdout) as RunInfo[]).find((r) => r.id === printed.id);
      expect(listed?.state).toBe('completed');
    }
    // A writer command (it recovers runs a crash left live) does not touch it either.
    const rescan = await cli(dataDir, ['rescan']);
    expect(rescan.code, rescan.stderr).toBe(0);
    const after = JSON.parse((await cli(dataDir, ['runs', '--json'])).stdout) as RunInfo[];
    expect(after.map((r) => r.state)).toEqual(['completed', 'completed']);
  }, 120_000);
});
