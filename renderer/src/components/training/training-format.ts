/** Labels and small formatters of the Training view. */
import type { RunInfo, RunState } from '$contract/training';

export { formatNats } from '../../lib/charts/chart-frame';

export const STATE_LABELS: Record<RunState, string> = {
  starting: 'Starting',
  running: 'Running',
  paused: 'Paused',
  completed: 'Completed',
  cancelled: 'Cancelled',
  failed: 'Failed',
  interrupted: 'Interrupted',
};

/** `conv · z=16 · 28 px grey`: what a run trains, in a phrase. */
export function modelSummary(run: RunInfo): string {
  const colour = run.model.channels === 1 ? 'grey' : 'RGB';
  return `${run.model.architecture} · z=${run.model.latentDim} · ${run.model.imageSize} px ${colour}`;
}

/** `18:03:42` today, else a short date and time. */
export function runTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const today = new Date().toDateString() === date.toDateString();
  return today
    ? date.toLocaleTimeString()
    : date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/**
 * The epoch to show: the one in progress while a run trains or is paused, else the epochs
 * completed. `completed` is the run's count, or a live step report's (0-based) epoch.
 */
export function shownEpoch(run: RunInfo, completed = run.epoch): number {
  const live = run.state === 'running' || run.state === 'paused' || run.state === 'starting';
  return live ? Math.min(completed + 1, run.settings.epochs) : completed;
}

/** `1 / 2`: the epoch shown out of those planned. */
export function epochProgress(run: RunInfo): string {
  return `${shownEpoch(run)} / ${run.settings.epochs}`;
}

/** Seconds as `45 s`, `3 min 5 s`, `1 h 2 min`. */
export function formatSeconds(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) {
    return '–';
  }
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const min = Math.floor(s / 60);
  if (min < 60) return `${min} min ${s % 60} s`;
  return `${Math.floor(min / 60)} h ${min % 60} min`;
}
