/**
 * Runs long work (scans, later ingest/train/encode) as jobs: each gets an id, an AbortSignal for
 * cancellation, throttled progress events with rate and ETA, and a final state. Finished jobs are
 * kept (a bounded number) so a UI that connects late can list them.
 */
import { ExplorerError, type JobInfo, type JobKind, type JobProgress } from '../contract';
import type { EventBus } from './event-bus';
import { toApiError } from './errors';

export interface JobContext {
  readonly id: string;
  readonly signal: AbortSignal;
  /** Reports progress; throttled to `progressIntervalMs` except when `done === total`. */
  progress(
    done: number,
    total: number | null,
    message?: string,
    detail?: Record<string, number>,
  ): void;
}

export interface JobRunnerOptions {
  keepFinished?: number;
  progressIntervalMs?: number;
  now?: () => number;
}

interface RunningJob {
  info: JobInfo;
  controller: AbortController;
  startedMs: number;
  lastEmitMs: number;
  /** Settles (never rejects) when the job has finished. */
  settled: Promise<void>;
}

export interface StartedJob<T> {
  id: string;
  result: Promise<T>;
}

let counter = 0;

export class JobRunner {
  private readonly jobs = new Map<string, RunningJob>();
  private readonly keepFinished: number;
  private readonly intervalMs: number;
  private readonly now: () => number;

  constructor(
    private readonly events: EventBus,
    options: JobRunnerOptions = {},
  ) {
    this.keepFinished = options.keepFinished ?? 50;
    this.intervalMs = options.progressIntervalMs ?? 100;
    this.now = options.now ?? Date.now;
  }

  start<T>(
    kind: JobKind,
    label: string,
    unit: string,
    work: (ctx: JobContext) => Promise<T>,
  ): StartedJob<T> {
    counter += 1;
    const id = `job-${counter}-${Math.random().toString(36).slice(2, 8)}`;
    const startedMs = this.now();
    const controller = new AbortController();
    const info: JobInfo = {
      id,
      kind,
      label,
      state: 'running',
      startedAt: new Date(startedMs).toISOString(),
      finishedAt: null,
      progress: { jobId: id, kind, done: 0, total: null, unit, ratePerSec: 0, etaSec: null },
      error: null,
    };
    const job: RunningJob = {
      info,
      controller,
      startedMs,
      lastEmitMs: 0,
      settled: Promise.resolve(),
    };
    this.jobs.set(id, job);
    this.events.emit('job:started', structuredClone(info));

    const ctx: JobContext = {
      id,
      signal: controller.signal,
      progress: (done, total, message, detail) => this.progress(job, done, total, message, detail),
    };
    const result = (async () => {
      try {
        const value = await work(ctx);
        if (controller.signal.aborted) throw new ExplorerError('CANCELLED', `${label}: cancelled.`);
        this.finish(job, 'succeeded', null);
        return value;
      } catch (error) {
        const cancelled =
          controller.signal.aborted ||
          (error instanceof ExplorerError && error.code === 'CANCELLED');
        const apiError = cancelled
          ? { code: 'CANCELLED' as const, message: `${label}: cancelled.` }
          : toApiError(error);
        this.finish(job, cancelled ? 'cancelled' : 'failed', apiError);
        throw ExplorerError.fromApiError(apiError);
      }
    })();
    job.settled = result.then(
      () => undefined,
      () => undefined,
    );
    return { id, result };
  }

  /** Returns false when the job is unknown or already finished. */
  cancel(id: string): boolean {
    const job = this.jobs.get(id);
    if (!job || job.info.state !== 'running') return false;
    job.controller.abort();
    return true;
  }

  /** Cancels every running job and resolves once all of them have finished. */
  async cancelAllAndWait(): Promise<void> {
    const running = [...this.jobs.values()].filter((j) => j.info.state === 'running');
    for (const job of running) job.controller.abort();
    await Promise.all(running.map((j) => j.settled));
  }

  has(id: string): boolean {
    return this.jobs.has(id);
  }

  /** Newest first. */
  list(): JobInfo[] {
    return [...this.jobs.values()].map((j) => structuredClone(j.info)).reverse();
  }

  private progress(
    job: RunningJob,
    done: number,
    total: number | null,
    message?: string,
    detail?: Record<string, number>,
  ): void {
    if (job.info.state !== 'running') return;
    const now = this.now();
    const elapsedSec = Math.max((now - job.startedMs) / 1000, 1e-3);
    const ratePerSec = done / elapsedSec;
    const etaSec = total !== null && ratePerSec > 0 ? Math.max(total - done, 0) / ratePerSec : null;
    const progress: JobProgress = { ...job.info.progress, done, total, ratePerSec, etaSec };
    if (message !== undefined) progress.message = message;
    if (detail !== undefined) progress.detail = { ...detail };
    job.info.progress = progress;
    const final = total !== null && done >= total;
    if (!final && now - job.lastEmitMs < this.intervalMs) return;
    job.lastEmitMs = now;
    this.events.emit('job:progress', { ...progress });
  }

  private finish(job: RunningJob, state: JobInfo['state'], error: JobInfo['error']): void {
    job.info.state = state;
    job.info.error = error;
    job.info.finishedAt = new Date(this.now()).toISOString();
    this.events.emit('job:finished', structuredClone(job.info));
    this.prune();
  }

  private prune(): void {
    const finished = [...this.jobs.values()].filter((j) => j.info.state !== 'running');
    for (const job of finished.slice(0, Math.max(finished.length - this.keepFinished, 0))) {
      this.jobs.delete(job.info.id);
    }
  }
}
