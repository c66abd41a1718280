import { describe, expect, it } from 'vitest';
import type { ExplorerEvents } from '../../../app/contract';
import { FAKE_ENGINE, controllableScan, makeService } from './fakes';

describe('ExplorerService', () => {
  it('reports status from its dependencies', async () => {
    const service = makeService();
    const status = await service.getStatus();
    expect(status).toMatchObject({
      appName: 'Latent Explorer',
      appVersion: '9.9.9',
      dataDir: '/tmp/le-test',
      engine: FAKE_ENGINE,
      capabilities: { nativeFolderPicker: false },
      library: null,
    });
    expect(status.runtime.node).toBe(process.versions.node);
    expect(status.runtime.electron).toBeNull();
  });

  it('offers the native picker only when it has one', async () => {
    await expect(makeService().pickFolder()).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    const withDialog = makeService({ dialogs: { pickFolder: async () => '/chosen' } });
    expect((await withDialog.getStatus()).capabilities.nativeFolderPicker).toBe(true);
    await expect(withDialog.pickFolder()).resolves.toEqual({ folder: '/chosen' });
    const cancelled = makeService({ dialogs: { pickFolder: async () => null } });
    await expect(cancelled.pickFolder()).resolves.toEqual({ folder: null });
  });

  it('opens a library as a job and announces it', async () => {
    const service = makeService();
    const names: (keyof ExplorerEvents)[] = [];
    service.events.onAny((name) => names.push(name));
    const info = await service.openLibrary({ folder: '/photos' });
    expect(info.imageCount).toBe(2);
    expect(names).toEqual(['job:started', 'job:finished', 'library:opened']);
    expect((await service.getStatus()).library).toEqual(info);
    expect((await service.listJobs())[0]).toMatchObject({ kind: 'scan', state: 'succeeded', label: 'Scanning /photos' });
  });

  it('cancels a scan on request and keeps the previous library', async () => {
    const { scan, release } = controllableScan();
    const service = makeService({ library: { scan } });
    const first = service.openLibrary({ folder: '/a' });
    release('/a');
    await first;
    const progress: ExplorerEvents['job:progress'][] = [];
    service.events.on('job:progress', (p) => progress.push(p));
    const second = service.openLibrary({ folder: '/b' });
    const [job] = await service.listJobs();
    expect(job?.state).toBe('running');
    await expect(service.cancelJob({ jobId: job!.id })).resolves.toEqual({ cancelled: true });
    await expect(second).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(progress[0]).toMatchObject({ jobId: job!.id, done: 5, unit: 'files' });
    expect((await service.getStatus()).library?.folder).toBe('/a');
    await expect(service.cancelJob({ jobId: job!.id })).resolves.toEqual({ cancelled: false });
    await expect(service.cancelJob({ jobId: 'job-999-zz' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('lets a newer openLibrary supersede a running one', async () => {
    const { scan, release } = controllableScan();
    const service = makeService({ library: { scan } });
    const older = service.openLibrary({ folder: '/old' });
    const newer = service.openLibrary({ folder: '/new' });
    await expect(older).rejects.toMatchObject({ code: 'CANCELLED' });
    release('/new');
    await expect(newer).resolves.toMatchObject({ folder: '/new' });
  });

  it('cancels running jobs on dispose', async () => {
    const { scan } = controllableScan();
    const service = makeService({ library: { scan } });
    const pending = service.openLibrary({ folder: '/slow' });
    await service.dispose();
    await expect(pending).rejects.toMatchObject({ code: 'CANCELLED' });
  });
});
