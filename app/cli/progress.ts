/**
 * Shows job progress on stderr (a single rewritten line on a terminal, nothing otherwise) and
 * cancels running jobs when the user presses Ctrl+C.
 */
import { formatDuration, type JobProgress } from '../contract';
import type { CommandContext } from './context';
import type { CliIo } from './io';

export function formatProgress(p: JobProgress): string {
  const total = p.total !== null ? `/${p.total}` : '';
  const rate = p.ratePerSec > 0 ? `, ${p.ratePerSec.toFixed(0)} ${p.unit}/s` : '';
  const eta = p.etaSec !== null ? `, ETA ${formatDuration(p.etaSec)}` : '';
  return `${p.kind}: ${p.done}${total} ${p.unit}${rate}${eta}`;
}

export function followJobs(ctx: CommandContext, io: CliIo): () => void {
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
