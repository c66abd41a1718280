/**
 * Training runs: starts a training worker per run (one at a time), relays its events to the UI,
 * persists state and metrics, and resumes runs from their checkpoints after a pause, a cancel or
 * a crash. Inference on a run's latest checkpoint goes through the {@link ModelClient}.
 */
import path from 'node:path';
import {
  ExplorerError,
  type FolderInfo,
  type RunDetail,
  type RunInfo,
  type TrainingRequest,
} from '../contract';
import { checkpointDir } from '../engine/worker/training-loop';
import type { TrainEvent, TrainJob } from '../engine/worker/protocol';
import type { EventBus } from './event-bus';
import type { JobRunner } from './jobs';
import type { RunStore } from './run-store';
import { resolveTraining } from './training-settings';
import type { WorkerPort, WorkerSpawner } from './worker-port';

const LIVE_STATES = new Set<RunInfo['state']>(['starting', 'running', 'paused']);

interface ActiveRun {
  run: RunInfo;
  port: WorkerPort;
  /** Resolves when the worker has confirmed a pause/resume. */
  waiters: Map<'paused' | 'resumed' | 'finished', (() => void)[]>;
}

export interface TrainingControllerDeps {
  dataDir: string;
  runs: RunStore;
  events: EventBus;
  jobs: JobRunner;
  spawn: WorkerSpawner;
  folders(): Promise<FolderInfo[]>;
}

export class TrainingController {
  private active: ActiveRun | null = null;
  private recovered: Promise<void> | null = null;

  constructor(private readonly deps: TrainingControllerDeps) {}

  /** Runs left live by a crash or kill are marked interrupted (resumable from their checkpoint). */
  private recover(): Promise<void> {
    this.recovered ??= (async () => {
      for (const run of await this.deps.runs.list()) {
        if (LIVE_STATES.has(run.state)) {
          await this.deps.runs.save({
            ...run,
            state: 'interrupted',
            message:
              'The app stopped while this run was training; resume continues from the last checkpoint.',
          });
        }
      }
    })();
    return this.recovered;
  }

  private async load(runId: string): Promise<RunInfo> {
    await this.recover();
    if (this.active?.run.id === runId) return this.active.run;
    const run = await this.deps.runs.load(runId);
    if (!run) throw new ExplorerError('NOT_FOUND', `No run ${runId}.`, { runId });
    return run;
  }

  async start(req: TrainingRequest): Promise<RunInfo> {
    await this.recover();
    this.assertIdle();
    const resolved = resolveTraining(
      req,
      await this.deps.folders(),
      Math.floor(Math.random() * 2 ** 31),
    );
    const run: RunInfo = {
      id: this.deps.runs.newRunId(),
      createdAt: new Date().toISOString(),
      state: 'starting',
      ...resolved,
      trainImages: 0,
      validationImages: 0,
      stepsPerEpoch: 0,
      step: 0,
      totalSteps: 0,
      epoch: 0,
      backend: null,
      device: null,
      checkpoint: null,
      bestValidationLoss: null,
      message: null,
    };
    await this.deps.runs.save(run);
    return this.launch(run, false);
  }

  private assertIdle(): void {
    if (this.active) {
      throw new ExplorerError(
        'BUSY',
        `Run ${this.active.run.id} is ${this.active.run.state}: cancel it (it can be resumed later) or let it finish before training another.`,
      );
    }
  }

  private async launch(initial: RunInfo, resume: boolean): Promise<RunInfo> {
    const port = this.deps.spawn('train');
    const active: ActiveRun = {
      run: { ...initial, state: 'starting', message: null },
      port,
      waiters: new Map(),
    };
    this.active = active;
    this.deps.events.emit('train:state', active.run);
    const job: TrainJob = {
      runId: initial.id,
      runDir: this.deps.runs.dir(initial.id),
      libraryDir: path.join(this.deps.dataDir, 'library'),
      spec: initial.spec,
      model: initial.model,
      settings: initial.settings,
      resume,
    };
    let startedResolve!: () => void;
    let startedReject!: (error: Error) => void;
    const started = new Promise<void>((resolve, reject) => {
      startedResolve = resolve;
      startedReject = reject;
    });
    let finish!: (outcome: { state: RunInfo['state']; message: string | null }) => void;
    const finished = new Promise<{ state: RunInfo['state']; message: string | null }>(
      (resolve) => (finish = resolve),
    );

    this.deps.jobs
      .start('train', `Training ${initial.id}`, 'steps', async (ctx) => {
        ctx.signal.addEventListener('abort', () => port.postMessage({ type: 'stop' }), {
          once: true,
        });
        const unsubscribe = this.deps.events.on('train:step', (s) => {
          if (s.runId === initial.id)
            ctx.progress(
              s.step + 1,
              active.run.totalSteps,
              `epoch ${s.epoch + 1}, loss ${s.loss.toFixed(2)}`,
            );
        });
        const outcome = await finished.finally(unsubscribe);
        if (outcome.state === 'failed')
          throw new ExplorerError('INTERNAL', outcome.message ?? 'Training failed.');
        if (outcome.state === 'cancelled')
          throw new ExplorerError('CANCELLED', 'Training stopped.');
      })
      .result.catch(() => undefined); // The outcome is reported through the run's state.

    const update = async (patch: Partial<RunInfo>): Promise<void> => {
      active.run = { ...active.run, ...patch };
      await this.deps.runs.save(active.run);
      this.deps.events.emit('train:state', active.run);
    };
    const wake = (what: 'paused' | 'resumed' | 'finished') => {
      for (const w of active.waiters.get(what) ?? []) w();
      active.waiters.delete(what);
    };

    port.onMessage((raw) => {
      const event = raw as TrainEvent;
      void (async () => {
        switch (event.type) {
          case 'ready':
            active.run.backend = event.engine.backend;
            active.run.device = event.engine.device;
            port.postMessage({ type: 'train', job });
            break;
          case 'started':
            await update({
              state: 'running',
              trainImages: event.trainImages,
              validationImages: event.validationImages,
              stepsPerEpoch: event.stepsPerEpoch,
              totalSteps: event.totalSteps,
              step: event.step,
              epoch: event.epoch,
            });
            startedResolve();
            break;
          case 'step':
            active.run.step = event.report.step + 1;
            active.run.epoch = event.report.epoch;
            this.deps.events.emit('train:step', event.report);
            await this.deps.runs.appendStep(event.report);
            break;
          case 'epoch':
            await this.deps.runs.appendEpoch(event.report);
            this.deps.events.emit('train:epoch', event.report);
            await update({
              epoch: event.report.epoch,
              step: event.report.step,
              bestValidationLoss: event.bestValidationLoss,
            });
            break;
          case 'checkpoint':
            // Step reports are throttled; the checkpoint knows exactly where the run stands.
            await update({
              checkpoint: event.checkpoint,
              step: Math.max(active.run.step, event.checkpoint.step),
              epoch: Math.max(active.run.epoch, event.checkpoint.epoch),
            });
            break;
          case 'paused':
            await update({ state: 'paused' });
            wake('paused');
            break;
          case 'resumed':
            await update({ state: 'running' });
            wake('resumed');
            break;
          case 'finished':
            // Not live any more before anyone hears the final state.
            this.active = null;
            await update({ state: event.state, message: event.message });
            startedReject(
              ExplorerError.fromApiError(
                event.error ?? { code: 'INTERNAL', message: event.message ?? 'Training failed.' },
              ),
            );
            finish({ state: event.state, message: event.message });
            wake('finished');
            break;
        }
      })().catch((error: unknown) => console.error('Cannot record a training event:', error));
    });
    port.onExit((code) => {
      if (this.active !== active) return; // It finished (or was replaced) normally.
      this.active = null;
      const message = `The training process ended unexpectedly (exit code ${String(code)}).${active.run.checkpoint ? ' Resume continues from the last checkpoint.' : ''}`;
      void update({ state: active.run.checkpoint ? 'interrupted' : 'failed', message }).then(() => {
        startedReject(new ExplorerError('INTERNAL', message));
        finish({ state: 'failed', message });
        wake('finished');
      });
    });

    await started;
    return active.run;
  }

  private waitFor(active: ActiveRun, what: 'paused' | 'resumed' | 'finished'): Promise<void> {
    return new Promise((resolve) => {
      const list = active.waiters.get(what) ?? [];
      list.push(resolve);
      active.waiters.set(what, list);
      if (what !== 'finished') {
        const finished = active.waiters.get('finished') ?? [];
        finished.push(resolve);
        active.waiters.set('finished', finished);
      }
    });
  }

  async pause(runId: string): Promise<RunInfo> {
    const run = await this.load(runId);
    const active = this.active;
    if (!active || active.run.id !== runId || run.state !== 'running') {
      throw new ExplorerError(
        'BAD_REQUEST',
        `Run ${runId} is ${run.state}, not running: there is nothing to pause.`,
      );
    }
    const paused = this.waitFor(active, 'paused');
    active.port.postMessage({ type: 'pause' });
    await paused;
    return active.run;
  }

  async resume(runId: string): Promise<RunInfo> {
    const run = await this.load(runId);
    const active = this.active;
    if (active && active.run.id === runId) {
      if (run.state !== 'paused') return run;
      const resumed = this.waitFor(active, 'resumed');
      active.port.postMessage({ type: 'resume' });
      await resumed;
      return active.run;
    }
    if (run.state === 'completed')
      throw new ExplorerError(
        'BAD_REQUEST',
        `Run ${runId} has completed; start a new run to train more.`,
      );
    if (!run.checkpoint)
      throw new ExplorerError(
        'BAD_REQUEST',
        `Run ${runId} has no checkpoint to resume from; start a new run.`,
      );
    this.assertIdle();
    return this.launch(run, true);
  }

  async cancel(runId: string): Promise<RunInfo> {
    const run = await this.load(runId);
    const active = this.active;
    if (!active || active.run.id !== runId) return run;
    const finished = this.waitFor(active, 'finished');
    if (active.run.state === 'paused') active.port.postMessage({ type: 'resume' });
    active.port.postMessage({ type: 'stop' });
    await finished;
    return (await this.deps.runs.load(runId)) ?? active.run;
  }

  async status(): Promise<RunInfo | null> {
    await this.recover();
    return this.active?.run ?? null;
  }

  async list(): Promise<RunInfo[]> {
    await this.recover();
    const runs = await this.deps.runs.list();
    return runs.map((r) => (this.active?.run.id === r.id ? this.active.run : r));
  }

  async detail(runId: string): Promise<RunDetail> {
    return this.deps.runs.detail(await this.load(runId));
  }

  async remove(runId: string): Promise<RunInfo[]> {
    await this.load(runId);
    if (this.active?.run.id === runId)
      throw new ExplorerError('BUSY', `Run ${runId} is training: cancel it before deleting it.`);
    await this.deps.runs.remove(runId);
    return this.list();
  }

  /** The run's checkpoint, for inference. */
  async checkpointOf(runId: string): Promise<{ run: RunInfo; dir: string }> {
    const run = await this.load(runId);
    if (!run.checkpoint)
      throw new ExplorerError(
        'NOT_FOUND',
        `Run ${runId} has no checkpoint yet: wait for its first one.`,
      );
    return { run, dir: checkpointDir(this.deps.runs.dir(runId)) };
  }

  async dispose(): Promise<void> {
    const active = this.active;
    if (!active) return;
    const finished = this.waitFor(active, 'finished');
    active.port.postMessage({ type: 'resume' });
    active.port.postMessage({ type: 'stop' });
    await Promise.race([finished, new Promise((resolve) => setTimeout(resolve, 10_000))]);
    active.port.kill();
  }
}
