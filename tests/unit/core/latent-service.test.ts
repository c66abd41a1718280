/**
 * The latent-space operations end to end through the service and the real model worker (CPU
 * backend, a tiny MLP trained on two folders of synthetic bars): the encode job and its
 * increments, every operation's numbers checked against what they must be, and the errors.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobInfo, RunInfo } from '../../../app/contract';
import { distance, klToPrior, samplePrior } from '../../../app/latent';
import { startServer } from '../../../app/server/server';
import type { ExplorerService } from '../../../app/service/explorer-service';
import { forkSpawner, workerEntry } from '../../../app/service/worker-port';
import { GREY_28, makeService, makeTestEnv, type TestEnv } from './fakes';

const built = existsSync(workerEntry());
const SPEC = GREY_28;

/**
 * Folder "rows": a white horizontal bar on black; folder "cols": a black vertical bar on white.
 * The folders differ in most pixels, so even a briefly trained model keeps them apart.
 */
async function writeBars(
  folder: string,
  count: number,
  vertical: boolean,
  from = 0,
): Promise<void> {
  await mkdir(folder, { recursive: true });
  await Promise.all(
    Array.from({ length: count }, (_, n) => {
      const i = from + n;
      const pixels = Buffer.alloc(28 * 28, vertical ? 255 : 0);
      const at = 3 + (i % 22);
      for (let a = 3; a < 25; a++) {
        for (let w = 0; w < 3; w++) {
          if (vertical) pixels[a * 28 + at + w] = 0;
          else pixels[(at + w) * 28 + a] = 255;
        }
      }
      pixels[(i * 13) % 784] = 90; // every image unique
      return sharp(pixels, { raw: { width: 28, height: 28, channels: 1 } })
        .png()
        .toFile(path.join(folder, `b${i}.png`));
    }),
  );
}

function jobFinished(service: ExplorerService, kind: JobInfo['kind']): Promise<JobInfo> {
  return new Promise((resolve) => {
    const off = service.events.on('job:finished', (job) => {
      if (job.kind === kind) {
        off();
        resolve(job);
      }
    });
  });
}

let env: TestEnv;
let service: ExplorerService;
let run: RunInfo;
let folderIds: number[];

beforeAll(async () => {
  env = await makeTestEnv();
  if (!built) return;
  service = makeService(env.dataDir, {
    spawnWorker: forkSpawner({ backend: 'cpu' }),
    encodeBatch: 16,
  });
  await writeBars(path.join(env.root, 'rows'), 40, false);
  await writeBars(path.join(env.root, 'cols'), 40, true);
  const a = await service.addFolder({ folder: path.join(env.root, 'rows'), spec: SPEC });
  const b = await service.addFolder({ folder: path.join(env.root, 'cols'), spec: SPEC });
  folderIds = [a.folder.id, b.folder.id];
  // Before any run: the operations say what to do first.
  await expect(service.neighbors({ source: { imageId: 1 } })).rejects.toMatchObject({
    code: 'NOT_FOUND',
    message: expect.stringMatching(/train one first/),
  });
  const encoded = jobFinished(service, 'encode');
  const started = await service.startTraining({
    model: { architecture: 'mlp', latentDim: 4, widths: [64] },
    epochs: 6,
    batchSize: 16,
    learningRate: 0.003,
    seed: 3,
  });
  const job = await encoded; // started automatically when the run completed
  expect(job.state).toBe('succeeded');
  run = (await service.listRuns()).find((r) => r.id === started.id) as RunInfo;
  expect(run.state).toBe('completed');
}, 180_000);

afterAll(async () => {
  await service?.dispose();
  await env.cleanup();
});

describe.skipIf(!built)('latent-space operations (model worker)', () => {
  it('stores the embeddings of every image once the run completes', async () => {
    const status = await service.embeddingsStatus();
    expect(status).toMatchObject({
      runId: run.id,
      step: run.checkpoint!.step,
      dims: 4,
      count: 80,
      pending: 0,
      current: true,
    });
    // Again: nothing to do.
    const again = await service.encodeLibrary({ runId: run.id });
    expect(again).toMatchObject({ encoded: 0, reused: 80, removed: 0 });
  });

  it('gives an image the posterior the encoder gives it', async () => {
    const [image] = (await service.listImages({ limit: 1 })).images;
    const p = await service.posterior({ source: { imageId: image!.id } });
    const [direct] = await service.encode({ runId: run.id, imageIds: [image!.id] });
    p.mu.forEach((v, j) => expect(v).toBeCloseTo(direct!.mu[j]!, 5));
    p.logVar.forEach((v, j) => expect(v).toBeCloseTo(direct!.logVar[j]!, 5));
    const kl = Array.from(klToPrior(p.mu, p.logVar));
    p.klPerDim.forEach((v, j) => expect(v).toBeCloseTo(kl[j]!, 6));
    expect(p.kl).toBeCloseTo(
      kl.reduce((s, v) => s + v, 0),
      6,
    );
    p.sigma.forEach((s, j) => expect(s).toBeCloseTo(Math.exp(0.5 * p.logVar[j]!), 6));
    expect(p.negElbo).toBeGreaterThan(0);
    expect(p.reconstruction).toMatchObject({ width: 28, height: 28, channels: 1 });
    const [recon] = await service.reconstruct({ runId: run.id, imageIds: [image!.id] });
    expect(p.reconstruction.data).toBe(recon!.data);
  });

  it('encodes an outside file like a library image, without adding it', async () => {
    const [image] = (await service.listImages({ limit: 1 })).images;
    const file = path.join(env.root, 'rows', image!.relPath);
    const data = (await readFile(file)).toString('base64');
    const outside = await service.posterior({ source: { file: { name: 'copy.png', data } } });
    const stored = await service.posterior({ source: { imageId: image!.id } });
    expect(outside.imageId).toBeNull();
    outside.mu.forEach((v, j) => expect(v).toBeCloseTo(stored.mu[j]!, 4));
    const near = await service.neighbors({ source: { file: { name: 'copy.png', data } }, k: 1 });
    expect(near.neighbors[0]).toMatchObject({ imageId: image!.id });
    expect(near.neighbors[0]!.distance).toBeLessThan(1e-3);
    expect((await service.listImages()).total).toBe(80);
    await expect(
      service.posterior({
        source: { file: { name: 'notes.png', data: Buffer.from('hello').toString('base64') } },
      }),
    ).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringMatching(/^notes\.png: /),
    });
  });

  it('finds neighbours by every metric, matching distances computed here', async () => {
    const images = (await service.listImages({ limit: 100 })).images;
    const query = images[5]!;
    const posteriors = await service.encode({ runId: run.id, imageIds: images.map((i) => i.id) });
    const byId = new Map(posteriors.map((p) => [p.imageId, p]));
    const q = byId.get(query.id)!;
    for (const metric of [
      'euclidean',
      'cosine',
      'symmetric-kl',
      'bhattacharyya',
      'wasserstein',
    ] as const) {
      const result = await service.neighbors({ source: { imageId: query.id }, k: 5, metric });
      expect(result).toMatchObject({ runId: run.id, metric, search: 'exact', searched: 80 });
      expect(result.neighbors).toHaveLength(5);
      expect(result.neighbors.map((n) => n.imageId)).not.toContain(query.id);
      const expected = posteriors
        .filter((p) => p.imageId !== query.id)
        .map((p) => ({
          id: p.imageId,
          d: distance(metric, { mu: q.mu, logvar: q.logVar }, { mu: p.mu, logvar: p.logVar }),
        }))
        .sort((a, b) => a.d - b.d)
        .slice(0, 5);
      result.neighbors.forEach((n, i) => expect(n.distance).toBeCloseTo(expected[i]!.d, 3));
      for (let i = 1; i < 5; i++)
        expect(result.neighbors[i]!.distance).toBeGreaterThanOrEqual(
          result.neighbors[i - 1]!.distance,
        );
    }
    const hnsw = await service.neighbors({ source: { imageId: query.id }, k: 5, search: 'hnsw' });
    expect(hnsw.search).toBe('hnsw');
    const exact = await service.neighbors({ source: { imageId: query.id }, k: 5 });
    expect(hnsw.neighbors.map((n) => n.imageId)).toEqual(exact.neighbors.map((n) => n.imageId));
    const within = await service.neighbors({
      source: { imageId: query.id },
      k: 3,
      folderIds: [folderIds[1]!],
    });
    expect(within.searched).toBe(40);
    expect(within.neighbors.every((n) => n.folderId === folderIds[1])).toBe(true);
    expect(within.neighbors[0]!.relPath).toMatch(/^b\d+\.png$/);
    // A bare code has no σ: the posterior metrics refuse it, Euclidean accepts it.
    await expect(
      service.neighbors({ source: { latent: q.mu }, metric: 'bhattacharyya' }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    const fromCode = await service.neighbors({ source: { latent: q.mu }, k: 1 });
    expect(fromCode.neighbors[0]!.imageId).toBe(query.id);
    await expect(service.neighbors({ source: { latent: [0, 0] } })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringMatching(/4 latent dimensions/),
    });
  });

  it('interpolates, traverses and draws the grid, decoded', async () => {
    const [a, b, c] = (await service.listImages({ limit: 3 })).images;
    const path3 = await service.interpolate({
      sources: [{ imageId: a!.id }, { imageId: b!.id }, { imageId: c!.id }],
      steps: 5,
      method: 'slerp',
    });
    expect(path3.frames).toHaveLength(9);
    const pa = await service.posterior({ source: { imageId: a!.id } });
    path3.frames[0]!.latent.forEach((v, j) => expect(v).toBeCloseTo(pa.mu[j]!, 5));
    expect(path3.frames[0]!.nearest).toMatchObject({ imageId: a!.id });
    expect(path3.frames[0]!.nearest!.distance).toBeLessThan(1e-5);
    expect(path3.frames[2]!.nearest!.distance).toBeGreaterThanOrEqual(0);
    // The shared middle source ends segment 0 (t = 1); segment 1 starts after it.
    expect(path3.frames.map((f) => f.segment)).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 1]);
    expect(path3.frames[4]!.t).toBe(1);

    const walk = await service.traverse({
      source: { imageId: a!.id },
      dim: 2,
      range: [-2, 2],
      steps: 5,
    });
    expect(walk.frames.map((f) => f.value)).toEqual([-2, -1, 0, 1, 2]);
    walk.frames.forEach((f) => {
      expect(f.latent[2]).toBeCloseTo(pa.mu[2]! + f.value, 5);
      expect(f.latent[0]).toBeCloseTo(pa.mu[0]!, 5);
    });
    expect(new Set(walk.frames.map((f) => f.image.data)).size).toBeGreaterThan(1);
    await expect(service.traverse({ dim: 9 })).rejects.toMatchObject({ code: 'BAD_REQUEST' });

    const grid = await service.latentGrid({ dims: [0, 3], rows: 3, columns: 4 });
    expect(grid.cells).toHaveLength(12);
    expect(grid.xValues).toHaveLength(4);
    expect(grid.cells[0]!.latent[0]).toBeCloseTo(grid.xValues[0]!, 6);
    expect(grid.cells[0]!.latent[3]).toBeCloseTo(grid.yValues[0]!, 6);
    expect(grid.cells[0]!.latent[1]).toBe(0);
    const auto = await service.latentGrid({ rows: 2, columns: 2 });
    expect(auto.dims[0]).not.toBe(auto.dims[1]);
  });

  it('summarises the dimensions and how well neighbours keep to their folder', async () => {
    const s = await service.latentSummary({ k: 5 });
    expect(s).toMatchObject({ runId: run.id, images: 80 });
    expect(s.dims).toHaveLength(4);
    expect(s.activeUnits).toBe(s.dims.filter((d) => d.active).length);
    expect(s.meanKl).toBeCloseTo(
      s.dims.reduce((t, d) => t + d.meanKl, 0),
      6,
    );
    expect(s.folderAgreement).toMatchObject({ k: 5, folders: 2 });
    expect(s.folderAgreement!.baseline).toBeCloseTo(39 / 79, 6);
    // Horizontal and vertical bars: a trained model's neighbours keep to their folder.
    expect(s.folderAgreement!.precision).toBeGreaterThan(0.9);
  });

  it('maps the library (PCA, UMAP, t-SNE), caches the map and decodes any point', async () => {
    expect(await service.getMap({ method: 'pca' })).toBeNull();
    const pca = await service.computeMap({ method: 'pca' });
    expect(pca.imageIds).toHaveLength(80);
    expect(pca.explainedVariance![0]).toBeGreaterThanOrEqual(pca.explainedVariance![1]!);
    expect(await service.getMap({ method: 'pca' })).toEqual(pca);
    // A map point of an image decodes to (close to) that image's code, through the PCA inverse.
    const at = await service.decodeMapPoint({ method: 'pca', x: pca.x[0]!, y: pca.y[0]! });
    expect(at.latent).toHaveLength(4);
    expect(at.neighbors).toEqual([]);

    const umap = await service.computeMap({ method: 'umap', seed: 2 });
    expect(umap.imageIds).toHaveLength(80);
    expect((await service.computeMap({ method: 'umap', seed: 2 })).createdAt).toBe(umap.createdAt);
    const onPoint = await service.decodeMapPoint({ method: 'umap', x: umap.x[3]!, y: umap.y[3]! });
    const p3 = await service.posterior({ source: { imageId: umap.imageIds[3]! } });
    onPoint.latent.forEach((v, j) => expect(v).toBeCloseTo(p3.mu[j]!, 4));
    expect(onPoint.neighbors[0]).toMatchObject({ imageId: umap.imageIds[3] });

    const tsne = await service.computeMap({ method: 'tsne', seed: 1 });
    expect(tsne.imageIds).toHaveLength(80);
    expect(tsne.x.every(Number.isFinite)).toBe(true);
    await expect(
      service.decodeMapPoint({ method: 'tsne', x: Number.NaN, y: 0 }),
    ).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
  }, 120_000);

  it('builds an attribute vector between folders and applies it', async () => {
    const [target] = (await service.listImages({ folderId: folderIds[0], limit: 1 })).images;
    const result = await service.attributeVector({
      a: { folderIds: [folderIds[1]!] },
      b: { folderIds: [folderIds[0]!] },
      target: { imageId: target!.id },
      strengths: [0, 1],
    });
    expect(result.sizes).toEqual({ a: 40, b: 40 });
    expect(result.norm).toBeCloseTo(Math.hypot(...result.vector), 5);
    expect(result.consistency!.auc).toBeGreaterThan(0.9);
    expect(result.consistency!.heldOutA + result.consistency!.heldOutB).toBe(40);
    const p = await service.posterior({ source: { imageId: target!.id } });
    result.frames[1]!.latent.forEach((v, j) =>
      expect(v).toBeCloseTo(p.mu[j]! + result.vector[j]!, 4),
    );
    await expect(
      service.attributeVector({ a: { imageIds: [target!.id] }, b: { imageIds: [target!.id] } }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('ranks the images the model explains worst', async () => {
    const result = await service.outliers({ limit: 5 });
    expect(result.searched).toBe(80);
    expect(result.outliers).toHaveLength(5);
    for (let i = 1; i < 5; i++)
      expect(result.outliers[i]!.negElbo).toBeLessThanOrEqual(result.outliers[i - 1]!.negElbo);
    expect(result.outliers[0]!.z).toBeGreaterThan(0);
    const p = await service.posterior({ source: { imageId: result.outliers[0]!.imageId } });
    expect(p.negElbo).toBeCloseTo(result.outliers[0]!.negElbo, 4);
  });

  it('records the training replay at log-spaced steps', async () => {
    const info = await service.getReplay({ runId: run.id });
    const steps = [1, 2, 4, 8, 16, 32].filter((s) => s < run.totalSteps);
    expect(info!.frames.map((f) => f.step)).toEqual([...steps, run.totalSteps]);
    expect(info!.sampleImageIds).toHaveLength(80);
    expect(new Set(info!.sampleFolderIds)).toEqual(new Set(folderIds));
    const first = await service.getReplayFrame({ runId: run.id, step: 1 });
    const last = await service.getReplayFrame({ runId: run.id, step: run.totalSteps });
    expect(last).toMatchObject({ projection: 'pca', epoch: 5 }); // epochs completed before the step
    expect(last.x).toHaveLength(80);
    expect(last.prior).toHaveLength(64);
    expect(last.prior[0]).toMatchObject({ width: 28, height: 28, channels: 1 });
    expect(last.prior[0]!.data).not.toBe(first.prior[0]!.data);
    // The last frame is the final model decoding the run's fixed prior codes (its seed).
    const codes = samplePrior(64, 4, 3);
    const decoded = await service.decode({
      runId: run.id,
      latents: [0, 1, 2].map((i) => Array.from(codes.subarray(i * 4, (i + 1) * 4))),
    });
    expect(decoded.map((d) => d.data)).toEqual(last.prior.slice(0, 3).map((p) => p.data));
    await expect(service.getReplayFrame({ runId: run.id, step: 3 })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringMatching(/recorded steps: 1, 2, 4/),
    });
  });

  it('answers the same operations over serve mode, with the schema checking them', async () => {
    const dir = await mkdtemp(path.join(env.root, 'static-'));
    await writeFile(path.join(dir, 'index.html'), '<!doctype html>');
    const server = await startServer({
      api: service,
      events: service.events,
      media: service,
      port: 0,
      staticDir: dir,
    });
    try {
      const post = async (method: string, body: unknown) => {
        const res = await fetch(`http://127.0.0.1:${server.port}/api/${method}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        return (await res.json()) as { ok: boolean; value?: unknown; error?: { code: string } };
      };
      const [image] = (await service.listImages({ limit: 1 })).images;
      const near = await post('neighbors', {
        source: { imageId: image!.id },
        k: 2,
        metric: 'wasserstein',
      });
      expect(near.ok).toBe(true);
      expect(near.value).toEqual(
        await service
          .neighbors({ source: { imageId: image!.id }, k: 2, metric: 'wasserstein' })
          .then((r) => ({ ...r, tookMs: (near.value as { tookMs: number }).tookMs })),
      );
      expect(
        await post('neighbors', { source: { imageId: image!.id }, metric: 'manhattan' }),
      ).toMatchObject({
        ok: false,
        error: { code: 'BAD_REQUEST' },
      });
      expect(await post('traverse', { dim: 1, direction: [1, 0, 0, 0] })).toMatchObject({
        ok: false,
        error: { code: 'BAD_REQUEST' },
      });
      const summary = await post('latentSummary', {});
      expect(summary).toMatchObject({ ok: true, value: { runId: run.id, images: 80 } });
    } finally {
      await server.close();
    }
  });

  it('encodes only new images, drops removed ones, and keeps finished batches when cancelled', async () => {
    await writeBars(path.join(env.root, 'rows'), 5, false, 100);
    await rm(path.join(env.root, 'cols', 'b0.png'));
    await service.rescan({});
    const before = await service.embeddingsStatus();
    expect(before).toMatchObject({ pending: 5 });
    const report = await service.encodeLibrary();
    expect(report).toMatchObject({ encoded: 5, reused: 79, removed: 1 });
    expect(report.embeddings).toMatchObject({ count: 84, pending: 0 });
    expect((await service.neighbors({ source: { imageId: 1 }, k: 1 })).searched).toBe(84);
    // The cached maps were computed on the old set: they are stale now.
    expect(await service.getMap({ method: 'pca' })).toBeNull();

    // force: everything again, as a job cancelled after its first batch (of 16) is stored.
    const firstBatch = new Promise<string>((resolve) => {
      const off = service.events.on('job:progress', (p) => {
        if (p.kind === 'encode' && p.done > 0) {
          off();
          resolve(p.jobId);
        }
      });
    });
    const forced = service.encodeLibrary({ force: true });
    await service.cancelJob({ jobId: await firstBatch });
    await expect(forced).rejects.toMatchObject({ code: 'CANCELLED' });
    const after = await service.embeddingsStatus();
    expect(after!.count).toBeGreaterThanOrEqual(16);
    expect(after!.count).toBeLessThan(84);
    expect(after!.count + after!.pending).toBe(84);
    await service.encodeLibrary();
    expect(await service.embeddingsStatus()).toMatchObject({ count: 84, pending: 0 });
  }, 60_000);
});
