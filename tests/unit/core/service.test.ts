import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { mkdir } from 'node:fs/promises';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ExplorerEvents } from '../../../app/contract';
import {
  FAKE_ENGINE,
  makeService,
  makeTestEnv,
  writeBadFiles,
  writeImages,
  type TestEnv,
} from './fakes';

let env: TestEnv;
beforeEach(async () => {
  env = await makeTestEnv();
});
afterEach(async () => {
  await env.cleanup();
});

describe('ExplorerService status', () => {
  it('reports status from its dependencies', async () => {
    const service = makeService(env.dataDir);
    const status = await service.getStatus();
    expect(status).toMatchObject({
      appName: 'Latent Explorer',
      appVersion: '9.9.9',
      dataDir: env.dataDir,
      engine: FAKE_ENGINE,
      capabilities: { nativeFolderPicker: false },
    });
    expect(status.runtime.node).toBe(process.versions.node);
    expect(status.runtime.electron).toBeNull();
  });

  it('offers the native picker only when it has one', async () => {
    await expect(makeService(env.dataDir).pickFolder()).rejects.toMatchObject({
      code: 'UNSUPPORTED',
    });
    const withDialog = makeService(env.dataDir, { dialogs: { pickFolder: async () => '/chosen' } });
    expect((await withDialog.getStatus()).capabilities.nativeFolderPicker).toBe(true);
    await expect(withDialog.pickFolder()).resolves.toEqual({ folder: '/chosen' });
  });
});

describe('ExplorerService library', () => {
  it('starts empty, ingests a folder as a job and announces it', async () => {
    const service = makeService(env.dataDir);
    const empty = await service.openLibrary();
    expect(empty.folders).toEqual([]);
    expect(empty.defaultSpec).toMatchObject({ size: 64, channels: 3, fit: 'cover' });
    expect(empty.formats.find((f) => f.format === 'png')?.supported).toBe(true);

    const photos = path.join(env.root, 'photos');
    await writeImages(photos, 6);
    await writeBadFiles(path.join(photos, 'bad'));
    const seen: (keyof ExplorerEvents)[] = [];
    const progress: ExplorerEvents['job:progress'][] = [];
    service.events.onAny((name) => seen.push(name));
    service.events.on('job:progress', (p) => progress.push(p));

    const report = await service.addFolder({
      folder: photos,
      spec: { size: 32, channels: 1, fit: 'contain', background: { r: 0, g: 0, b: 0 } },
    });
    expect(report).toMatchObject({ processed: 8, failed: 2, unchanged: 0 });
    expect(report.folder).toMatchObject({
      imageCount: 6,
      failedCount: 2,
      otherFileCount: 1,
      spec: { size: 32, channels: 1 },
    });
    expect(seen[0]).toBe('library:changed');
    expect(seen).toContain('job:started');
    expect(seen.at(-1)).toBe('library:changed');
    expect(progress.at(-1)).toMatchObject({
      kind: 'ingest',
      unit: 'images',
      detail: { failed: 2 },
    });

    const again = await service.addFolder({ folder: photos });
    expect(again).toMatchObject({ processed: 0, unchanged: 8 });
    expect(again.folder.spec.size).toBe(32); // The folder keeps its spec.

    const page = await service.listImages({ folderId: report.folder.id, status: 'ok', limit: 4 });
    expect(page.total).toBe(6);
    expect(page.images).toHaveLength(4);
    const problems = await service.listProblems({ folderId: report.folder.id });
    expect(problems.problems.map((p) => [p.path, p.kind]).sort()).toEqual([
      ['bad/empty.png', 'empty'],
      ['bad/fake.jpg', 'not-an-image'],
    ]);

    const thumb = await service.readMedia('thumb', page.images[0]!.id);
    expect(thumb?.mime).toBe('image/webp');
    expect(thumb?.data.byteLength).toBeGreaterThan(20);
    const original = await service.readMedia('original', page.images[0]!.id);
    expect(original?.mime).toBe('image/png');
    expect(await service.readMedia('thumb', 999_999)).toBeNull();
    await service.dispose();
  });

  it('keeps the specs across restarts and removes folders without touching files', async () => {
    const photos = path.join(env.root, 'p');
    await writeImages(photos, 2);
    const first = makeService(env.dataDir);
    const { folder } = await first.addFolder({
      folder: photos,
      spec: { size: 48, channels: 3, fit: 'cover', background: { r: 1, g: 2, b: 3 } },
    });
    await first.dispose();
    const second = makeService(env.dataDir);
    const state = await second.openLibrary();
    expect(state.folders[0]).toMatchObject({
      id: folder.id,
      imageCount: 2,
      spec: { size: 48, background: { r: 1, g: 2, b: 3 } },
    });
    const after = await second.removeFolder({ folderId: folder.id });
    expect(after.folders).toEqual([]);
    await expect(second.removeFolder({ folderId: folder.id })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(second.listProblems({ folderId: folder.id })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(second.addFolder({ folder: photos })).resolves.toMatchObject({
      folder: { imageCount: 2 },
    });
    await second.dispose();
  });

  it('filters the skipped list by kind, counts every kind, and shows TIFF originals as PNG', async () => {
    const folder = path.join(env.root, 'mixed');
    await writeImages(folder, 1);
    await writeBadFiles(folder);
    await writeFile(path.join(folder, 'also-empty.png'), '');
    await sharp({ create: { width: 12, height: 8, channels: 3, background: '#884422' } })
      .tiff()
      .toFile(path.join(folder, 'scan.tiff'));
    const service = makeService(env.dataDir);
    const { folder: info } = await service.addFolder({ folder });
    const all = await service.listProblems({ folderId: info.id });
    expect(all.byKind).toEqual({ empty: 2, 'not-an-image': 1 });
    expect(all.total).toBe(3);
    const empty = await service.listProblems({ folderId: info.id, kind: 'empty', limit: 1 });
    expect(empty).toMatchObject({ total: 2, byKind: { empty: 2, 'not-an-image': 1 } });
    expect(empty.problems.map((p) => p.path)).toEqual(['also-empty.png']);
    const tiff = (await service.listImages({ status: 'ok' })).images.find(
      (i) => i.relPath === 'scan.tiff',
    );
    expect(tiff?.format).toBe('tiff');
    const shown = await service.readMedia('original', tiff!.id);
    expect(shown?.mime).toBe('image/png');
    expect(await sharp(Buffer.from(shown!.data)).metadata()).toMatchObject({
      format: 'png',
      width: 12,
      height: 8,
    });
    const failed = (await service.listImages({ status: 'failed' })).images[0]!;
    await expect(service.readMedia('original', failed.id)).rejects.toMatchObject({
      code: 'UNSUPPORTED',
    });
    await service.dispose();
  });

  it('names the folder in typed errors', async () => {
    const service = makeService(env.dataDir);
    const missing = path.join(env.root, 'nope');
    await expect(service.addFolder({ folder: missing })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringContaining(missing),
    });
    const file = path.join(env.root, 'file.png');
    await writeFile(file, 'x');
    await expect(service.addFolder({ folder: file })).rejects.toMatchObject({
      code: 'NOT_A_DIRECTORY',
    });
    await service.dispose();
  });

  it('cancels an ingest, keeps what was done, and a rescan finishes it', async () => {
    const photos = path.join(env.root, 'many');
    await writeImages(photos, 120);
    // Progress after every file, so the cancel lands mid-way however fast the machine is.
    const service = makeService(env.dataDir, {
      ingest: { progressIntervalMs: 0, concurrency: 1, batchSize: 4 },
    });
    let cancelled = false;
    service.events.on('job:progress', (p) => {
      if (!cancelled && p.done >= 10) {
        cancelled = true;
        void service.cancelJob({ jobId: p.jobId });
      }
    });
    await expect(service.addFolder({ folder: photos })).rejects.toMatchObject({
      code: 'CANCELLED',
    });
    const [job] = await service.listJobs();
    expect(job).toMatchObject({ kind: 'ingest', state: 'cancelled' });
    const partial = (await service.openLibrary()).folders[0]!;
    expect(partial.imageCount).toBeGreaterThan(0);
    expect(partial.imageCount).toBeLessThan(120);
    const [report] = await service.rescan({ folderId: partial.id });
    expect(report?.folder.imageCount).toBe(120);
    expect(report?.unchanged).toBe(partial.imageCount);
    await expect(service.cancelJob({ jobId: job!.id })).resolves.toEqual({ cancelled: false });
    await expect(service.cancelJob({ jobId: 'job-999-zz' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await service.dispose();
  });

  it('makes the Fashion-MNIST demo from IDX files, and says which package is missing', async () => {
    const source = path.join(env.root, 'idx');
    await mkdir(source);
    const n = 12;
    const header = (magic: number, dims: number[]) => {
      const b = Buffer.alloc(4 + 4 * dims.length);
      b.writeUInt32BE(magic, 0);
      dims.forEach((d, i) => b.writeUInt32BE(d, 4 + 4 * i));
      return b;
    };
    const pixels = Buffer.alloc(n * 28 * 28);
    for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 7 + Math.floor(i / 784) * 31) % 256;
    await writeFile(
      path.join(source, 'train-images-idx3-ubyte.gz'),
      gzipSync(Buffer.concat([header(0x0803, [n, 28, 28]), pixels])),
    );
    await writeFile(
      path.join(source, 'train-labels-idx1-ubyte.gz'),
      gzipSync(
        Buffer.concat([
          header(0x0801, [n]),
          Buffer.from(Array.from({ length: n }, (_, i) => i % 10)),
        ]),
      ),
    );
    const service = makeService(env.dataDir, { fashionMnistSource: source });
    const report = await service.openDemo({ dataset: 'fashion-mnist' });
    expect(report.folder).toMatchObject({ imageCount: n, spec: { size: 28, channels: 1 } });
    expect(report.folder.path).toBe(path.join(env.dataDir, 'demo', 'fashion-mnist'));
    const jobs = await service.listJobs();
    expect(jobs.map((j) => j.kind).sort()).toEqual(['demo', 'ingest']);
    await service.dispose();

    const env2 = await makeTestEnv();
    try {
      const without = makeService(env2.dataDir, {
        fashionMnistSource: path.join(env2.root, 'none'),
      });
      await expect(without.openDemo({ dataset: 'fashion-mnist' })).rejects.toMatchObject({
        code: 'NOT_FOUND',
        message: expect.stringContaining('not found'),
      });
      expect((await without.openLibrary()).folders).toEqual([]);
      await without.dispose();
    } finally {
      await env2.cleanup();
    }
  });
});
