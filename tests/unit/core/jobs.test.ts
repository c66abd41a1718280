import { describe, expect, it } from 'vitest';
import { ExplorerError, type ExplorerEvents } from '../../../app/contract';
import { EventBus } from '../../../app/service/event-bus';
import { JobRunner } from '../../../app/service/jobs';

function record(bus: EventBus) {
  const seen: { name: keyof ExplorerEvents; payload: unknown }[] = [];
  bus.onAny((name, payload) => seen.push({ name, payload }));
  return seen;
}

describe('JobRunner', () => {
  it('emits started, progress with rate and ETA, and finished', async () => {
    const bus = new EventBus();
    const seen = record(bus);
    let clock = 1_000;
    const runner = new JobRunner(bus, { progressIntervalMs: 0, now: () => clock });
    const job = runner.start('ingest', 'Scanning /x', 'files', async (ctx) => {
      clock += 2_000;
      ctx.progress(10, 40, 'quarter');
      clock += 2_000;
      ctx.progress(40, 40);
      return 'done';
    });
    await expect(job.result).resolves.toBe('done');
    expect(seen.map((e) => e.name)).toEqual([
      'job:started',
      'job:progress',
      'job:progress',
      'job:finished',
    ]);
    const first = seen[1]?.payload as ExplorerEvents['job:progress'];
    expect(first).toMatchObject({
      jobId: job.id,
      done: 10,
      total: 40,
      unit: 'files',
      message: 'quarter',
    });
    expect(first.ratePerSec).toBeCloseTo(5);
    expect(first.etaSec).toBeCloseTo(6);
    expect(seen[3]?.payload).toMatchObject({ id: job.id, state: 'succeeded', error: null });
  });

  it('throttles progress events but always sends the final one', async () => {
    const bus = new EventBus();
    const seen = record(bus);
    const runner = new JobRunner(bus, { progressIntervalMs: 60_000 });
    await runner.start('ingest', 'x', 'files', async (ctx) => {
      for (let i = 1; i <= 100; i++) ctx.progress(i, 100);
    }).result;
    const progress = seen
      .filter((e) => e.name === 'job:progress')
      .map((e) => (e.payload as { done: number }).done);
    expect(progress).toEqual([1, 100]);
  });

  it('cancels through the AbortSignal and reports CANCELLED', async () => {
    const bus = new EventBus();
    const seen = record(bus);
    const runner = new JobRunner(bus);
    const job = runner.start(
      'ingest',
      'Scanning /big',
      'files',
      (ctx) =>
        new Promise((_, reject) =>
          ctx.signal.addEventListener('abort', () => reject(new Error('stopped'))),
        ),
    );
    expect(runner.list()[0]).toMatchObject({ id: job.id, state: 'running' });
    expect(runner.cancel(job.id)).toBe(true);
    await expect(job.result).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(runner.list()[0]).toMatchObject({ state: 'cancelled', error: { code: 'CANCELLED' } });
    expect(runner.cancel(job.id)).toBe(false);
    expect(runner.cancel('job-0-none')).toBe(false);
    expect(seen.at(-1)).toMatchObject({ name: 'job:finished', payload: { state: 'cancelled' } });
  });

  it('treats work that finishes after a cancel as cancelled', async () => {
    const runner = new JobRunner(new EventBus());
    let release!: () => void;
    const job = runner.start(
      'ingest',
      'x',
      'files',
      () => new Promise<number>((resolve) => (release = () => resolve(1))),
    );
    runner.cancel(job.id);
    release();
    await expect(job.result).rejects.toMatchObject({ code: 'CANCELLED' });
  });

  it('records failures with their code and keeps a bounded history, newest first', async () => {
    const runner = new JobRunner(new EventBus(), { keepFinished: 2 });
    const failing = runner.start('ingest', 'bad', 'files', async () => {
      throw new ExplorerError('NOT_FOUND', 'Folder not found: /gone');
    });
    await expect(failing.result).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: 'Folder not found: /gone',
    });
    expect(runner.list()[0]).toMatchObject({ state: 'failed', error: { code: 'NOT_FOUND' } });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const ok = runner.start('ingest', `ok ${i}`, 'files', async () => i);
      ids.push(ok.id);
      await ok.result;
    }
    expect(runner.list().map((j) => j.id)).toEqual([ids[2], ids[1]]);
    expect(runner.has(failing.id)).toBe(false);
  });

  it('keeps delivering events when one listener throws', () => {
    const bus = new EventBus();
    const got: string[] = [];
    bus.on('job:started', () => {
      throw new Error('closed window');
    });
    bus.on('job:started', (job) => got.push(job.id));
    const off = bus.onAny((name) => got.push(name));
    const runner = new JobRunner(bus);
    const job = runner.start('ingest', 'x', 'files', () => new Promise(() => undefined));
    expect(got).toEqual([job.id, 'job:started']);
    off();
    expect(bus.listenerCount()).toBe(2);
  });
});
