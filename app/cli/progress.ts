/**
 * Shows job progress on stderr (a single rewritten line on a terminal, nothing otherwise) and
 * cancels running jobs when the user presses Ctrl+C.
 */
import {
  formatDuration,
  type EventName,
  type ExplorerApi,
  type ExplorerEvents,
  type JobProgress,
  type Unsubscribe,
} from '../contract';
import type { CliIo } from './io';

/** What following jobs needs of a command context (tests pass a fake). */
export interface JobContext {
  api: Pick<ExplorerApi, 'cancelJob'>;
  service: {
    events: {
      on<E extends EventName>(
        event: E,
        listener: (payload: ExplorerEvents[E]) => void,
      ): Unsubscribe;
    };
  };
}

const BAR_WIDTH = 24;

export function formatProgress(p: JobProgress): string {
  const bar =
    p.total !== null && p.total > 0
      ? `[${'#'.repeat(Math.round((Math.min(p.done, p.total) / p.total) * BAR_WIDTH)).padEnd(BAR_WIDTH, '.')}] `
      : '';
  const total = p.total !== null ? `/${p.total}` : ' (counting…)';
  const rate = p.ratePerSec > 0 ? `, ${p.ratePerSec.toFixed(0)} ${p.unit}/s` : '';
  const eta = p.etaSec !== null ? `, ETA ${formatDuration(p.etaSec)}` : '';
  const detail = p.detail
    ? Object.entries(p.detail)
        .filter(([key, n]) => n > 0 && key !== 'seen')
        .map(([key, n]) => `${n} ${key}`)
        .join(', ')
    : '';
  return `${p.kind} ${bar}${p.done}${total} ${p.unit}${rate}${eta}${detail ? ` (${detail})` : ''}`;
}

export function followJobs(ctx: JobContext, io: CliIo): () => void {
  const live = io.stderr.isTTY === true;
  const running = new Set<string>();
  const offStart = ctx.service.events.on('job:started', (job) => running.add(job.id));
  const offProgress = ctx.service.events.on('job:progress', (p) => {
    if (live) io.stderr.write(`\r\x1b[2K${formatProgress(p)}`);
  });
  const offFinish = ctx.service.events.on('job:finished', (job) => {
    running.delete(job.id);
    if (live) io.stderr.write('\r\x1b[2K');
  });
  let stopped = false;
  void io.interrupted.then(() => {
    if (stopped) return;
    for (const id of running) void ctx.api.cancelJob({ jobId: id }).catch(() => undefined);
  });
  return () => {
    stopped = true;
    offStart();
    offProgress();
    offFinish();
  };
}
