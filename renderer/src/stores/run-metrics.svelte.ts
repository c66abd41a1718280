/**
 * The metric history of one run, for its charts: steps and epochs loaded with `getRun`, then
 * extended by `train:step` / `train:epoch` events. The point arrays are plain (not reactive) and
 * only ever appended to; `revision` is bumped instead, so a chart redraws from the same arrays
 * without Svelte proxying thousands of points. Events that arrive while the history is loading
 * are kept and merged after it.
 */
import type { EpochReport, RunDetail, StepReport } from '$contract/training';
import { api } from '../api';
import type { LossPoint, ValidationPoint } from '../lib/charts/loss-chart';
import { describeError } from './errors.svelte';

/** What the KL chart shows: the most recent per-dimension KL and where it comes from. */
export interface KlSnapshot {
  klPerDim: number[];
  source: 'step' | 'epoch';
  /** Steps completed (source step) or epochs completed (source epoch). */
  at: number;
}

export type EpochSummary = Omit<EpochReport, 'samples' | 'runId'>;

function toPoint(s: RunDetail['steps'][number]): LossPoint {
  return {
    step: s.step + 1,
    epoch: s.epoch,
    loss: s.loss,
    reconstruction: s.reconstruction,
    kl: s.kl,
    negElbo: s.negElbo,
    beta: s.beta,
  };
}

export class RunMetrics {
  readonly runId: string;
  /** Loss points in step order (plain array: read it when `revision` changes). */
  readonly steps: LossPoint[] = [];
  readonly validation: ValidationPoint[] = [];
  revision = $state(0);
  status = $state<'idle' | 'loading' | 'ready' | 'error'>('idle');
  error = $state<string | null>(null);
  /** The latest step report received live (rate, ETA, batch KL); null for history only. */
  lastStep = $state.raw<StepReport | null>(null);
  /** The latest evaluated epoch (from history or live). */
  lastEpoch = $state.raw<EpochSummary | null>(null);
  /** Validation images and their reconstructions from the latest live epoch report. */
  samples = $state.raw<EpochReport['samples']>([]);
  samplesEpoch = $state<number | null>(null);

  #loading: Promise<void> | null = null;

  constructor(runId: string) {
    this.runId = runId;
  }

  /** The per-dimension KL to show: the newest of the last step and the last epoch. */
  kl = $derived.by((): KlSnapshot | null => {
    const step = this.lastStep;
    const epoch = this.lastEpoch;
    if (step && (!epoch || step.step + 1 > epoch.step)) {
      return { klPerDim: step.klPerDim, source: 'step', at: step.step + 1 };
    }
    if (epoch) return { klPerDim: epoch.klPerDim, source: 'epoch', at: epoch.epoch };
    return null;
  });

  addStep(report: StepReport): void {
    const point = toPoint(report);
    // A resumed run replays the steps after its last checkpoint: the new values replace them.
    while ((this.steps.at(-1)?.step ?? -Infinity) >= point.step) this.steps.pop();
    this.steps.push(point);
    this.lastStep = report;
    this.revision += 1;
  }

  addEpoch(report: EpochReport): void {
    const { samples, runId: _runId, ...summary } = report;
    this.#putEpoch(summary);
    this.lastEpoch = summary;
    if (samples.length > 0) {
      this.samples = samples;
      this.samplesEpoch = report.epoch;
    }
    this.revision += 1;
  }

  #putEpoch(epoch: EpochSummary): void {
    const at = this.validation.findIndex((v) => v.epoch >= epoch.epoch);
    if (at >= 0) this.validation.splice(at);
    if (epoch.validation) {
      this.validation.push({
        epoch: epoch.epoch,
        step: epoch.step,
        negElbo: epoch.validation.negElbo,
      });
    }
  }

  /** Loads (or reloads) the history, keeping live points newer than it. */
  load(): Promise<void> {
    this.#loading ??= this.#load().finally(() => (this.#loading = null));
    return this.#loading;
  }

  async #load(): Promise<void> {
    this.status = this.status === 'ready' ? 'ready' : 'loading';
    this.error = null;
    try {
      const detail = await api.getRun({ runId: this.runId });
      const history = detail.steps.map(toPoint);
      // Live points newer than the history (received while it loaded) are kept after it.
      const lastLogged = history.at(-1)?.step ?? 0;
      const live = this.steps.filter((p) => p.step > lastLogged);
      this.steps.splice(0, this.steps.length, ...history, ...live);
      const liveEpochs =
        this.lastEpoch && this.lastEpoch.epoch > (detail.epochs.at(-1)?.epoch ?? 0);
      this.validation.splice(0);
      for (const epoch of detail.epochs) this.#putEpoch(epoch);
      if (liveEpochs && this.lastEpoch) this.#putEpoch(this.lastEpoch);
      else this.lastEpoch = detail.epochs.at(-1) ?? null;
      this.status = 'ready';
      this.revision += 1;
    } catch (error) {
      this.status = 'error';
      this.error = describeError(error).message;
    }
  }
}
