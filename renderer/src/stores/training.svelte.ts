/**
 * Training runs as the core reports them: the list (`listRuns`, then `train:state` events), the
 * selected run with its metrics (`getRun`, then `train:step` / `train:epoch`), and the actions on
 * runs. Runs can change outside this page (the CLI, another tab), so the list follows events and
 * is reloaded when the event stream comes back after a drop.
 */
import { SvelteMap } from 'svelte/reactivity';
import type { TrainingRequest } from '$contract/schemas';
import type { RunInfo, RunState } from '$contract/training';
import { api, on, watchConnection } from '../api';
import { errors } from './errors.svelte';
import { RunMetrics } from './run-metrics.svelte';

export type RunAction = 'pause' | 'resume' | 'cancel' | 'delete';

const LIVE: ReadonlySet<RunState> = new Set(['starting', 'running', 'paused']);
const RESUMABLE: ReadonlySet<RunState> = new Set(['paused', 'interrupted', 'cancelled']);

export function isLive(run: RunInfo): boolean {
  return LIVE.has(run.state);
}

/** Paused runs resume in memory; interrupted and cancelled ones from their checkpoint. */
export function canResume(run: RunInfo): boolean {
  return run.state === 'paused' || (RESUMABLE.has(run.state) && run.checkpoint !== null);
}

function newestFirst(a: RunInfo, b: RunInfo): number {
  return b.createdAt.localeCompare(a.createdAt);
}

class TrainingStore {
  runs = $state.raw<RunInfo[]>([]);
  loaded = $state(false);
  selectedId = $state<string | null>(null);
  /** The action in flight per run id, to disable buttons and say what is happening. */
  readonly pending = new SvelteMap<string, RunAction>();

  selected = $derived(this.runs.find((r) => r.id === this.selectedId) ?? null);
  /** The run that trains or is paused now (the core allows one). */
  live = $derived(this.runs.find(isLive) ?? null);

  /** Metrics of runs seen in this session, by id (plain map: entries are reactive objects). */
  readonly #metrics = new Map<string, RunMetrics>();
  #users = 0;
  /** Counts `train:state` events: an answer is not applied over events that came after it. */
  #stateEvents = 0;
  #stop: (() => void) | null = null;

  /** The selected run's metrics (history loaded on selection). */
  metrics = $derived(this.selectedId === null ? null : this.metricsOf(this.selectedId));

  metricsOf(runId: string): RunMetrics {
    let metrics = this.#metrics.get(runId);
    if (!metrics) {
      metrics = new RunMetrics(runId);
      this.#metrics.set(runId, metrics);
    }
    return metrics;
  }

  /** Subscribes while at least one view uses the store; returns the release function. */
  start(): () => void {
    this.#users += 1;
    if (this.#users === 1) this.#stop = this.#subscribe();
    return () => {
      this.#users -= 1;
      if (this.#users === 0) {
        this.#stop?.();
        this.#stop = null;
      }
    };
  }

  #subscribe(): () => void {
    let dropped = false;
    const offs = [
      on('train:state', (run) => {
        this.#stateEvents += 1;
        this.#put(run);
      }),
      on('train:step', (step) => this.#metrics.get(step.runId)?.addStep(step)),
      on('train:epoch', (epoch) => this.metricsOf(epoch.runId).addEpoch(epoch)),
      watchConnection((state) => {
        if (state === 'reconnecting' || state === 'closed') dropped = true;
        if (state === 'open' && dropped) {
          dropped = false;
          void this.refresh();
        }
      }),
    ];
    void this.refresh();
    return () => offs.forEach((off) => off());
  }

  #put(run: RunInfo): void {
    const others = this.runs.filter((r) => r.id !== run.id);
    this.runs = [...others, run].sort(newestFirst);
    // Steps of a live run are collected from its first state event on, even if not selected.
    if (isLive(run)) this.metricsOf(run.id);
  }

  /** Reloads the list (and the selected run's history). */
  async refresh(): Promise<void> {
    try {
      this.runs = (await api.listRuns()).sort(newestFirst);
      this.loaded = true;
      if (this.selectedId === null || !this.runs.some((r) => r.id === this.selectedId)) {
        this.select(this.live?.id ?? this.runs[0]?.id ?? null);
      } else {
        void this.metricsOf(this.selectedId).load();
      }
      const live = this.live;
      if (live) this.metricsOf(live.id);
    } catch (error) {
      errors.report('training', error);
    }
  }

  select(runId: string | null): void {
    this.selectedId = runId;
    if (runId !== null) void this.metricsOf(runId).load();
  }

  /** Starts a run and selects it. Errors are thrown for the form to show. */
  async startRun(req: TrainingRequest): Promise<RunInfo> {
    const run = await api.startTraining(req);
    // Its state events may have come first (and be newer): they win.
    if (!this.runs.some((r) => r.id === run.id)) this.#put(run);
    this.select(run.id);
    return run;
  }

  async act(action: RunAction, runId: string): Promise<void> {
    if (this.pending.has(runId)) return;
    this.pending.set(runId, action);
    try {
      if (action === 'delete') {
        this.runs = (await api.deleteRun({ runId })).sort(newestFirst);
        this.#metrics.delete(runId);
        if (this.selectedId === runId) this.select(this.runs[0]?.id ?? null);
        return;
      }
      const call = {
        pause: api.pauseTraining,
        resume: api.resumeTraining,
        cancel: api.cancelTraining,
      }[action];
      const before = this.#stateEvents;
      const run = await call({ runId });
      if (before === this.#stateEvents) this.#put(run);
      errors.clear('training');
    } catch (error) {
      errors.report('training', error);
    } finally {
      this.pending.delete(runId);
    }
  }

  /** Space on the Training view: pause a running run, resume a paused one. */
  toggleSelected(): void {
    const run = this.selected;
    if (!run || this.pending.has(run.id)) return;
    if (run.state === 'running') void this.act('pause', run.id);
    else if (run.state === 'paused') void this.act('resume', run.id);
  }
}

export const training = new TrainingStore();
