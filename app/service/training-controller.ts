/**
 * Training runs: starts a training worker per run (one at a time), relays its events to the UI,
 * persists state and metrics, and resumes runs from their checkpoints after a pause, a cancel or
 * a crash. Inference on a run's latest checkpoint goes through the {@link ModelClient}.
 */
import {
  ExplorerError,
  type FolderInfo,
  type RunDetail,
  type RunInfo,
  type TrainingRequest,
} from '../contract';
import { checkpointDir } from '../engine/run-layout';
import type { TrainEvent, TrainJob } from '../engine/worker/protocol';
import { dataDirLayout } from '../paths';
import type { EventBus } from './event-bus';
import type { JobRunner } from './jobs';
import type { RunStore } from './run-store';
import { resolveTraining } from './training-settings';
import type { WorkerPort, WorkerSpawner } from './worker-port';

const LIVE_STATES = new Set<RunInfo['state']>(['starting', 'running', 'paused']);
/** How long shutting down waits for a training worker to checkpoint and stop. */
const STOP_TIMEOUT_MS = 10_000;

function interrupted(run: RunInfo): RunInfo {
  return {
    ...run,
    state: 'interrupted',
    message:
      'The app stopped while this run was training; resume continues from the last checkpoint.',
  };
}

interface ActiveRun {
  run: RunInfo;
  port: WorkerPort;
  /** Resolves when the worker has confirmed a pause/resume. */
  waiters: Map<'paused' | 'resumed' | 'finished', (() => void)[]>;
  /** The worker's events handled so far (they are handled in order, one at a time). */
  handled: Promise<void>;
}

export interface TrainingControllerDeps {
  dataDir: string;
  runs: RunStore;
  /**
   * Null in the process holding the data directory's writer lock (it owns run.json and recovers
   * runs a crash left live). A reader gets whether a live writer exists: if none does, a run
   * stored as live is shown (not written) as interrupted.
   */
  reader: { writerAlive(): boolean } | null;
  events: EventBus;
  jobs: JobRunner;
  spawn: WorkerSpawner;
  folders(): Promise<FolderInfo[]>;
}

export class TrainingController {
  private active: ActiveRun | null = null;
  private recovered: Promise<void> | null = null;

  constructor(private readonly deps: TrainingControllerDeps) {}

  /**
   * Runs left live by a crash or kill are marked interrupted (resumable from their checkpoint).
   * Only the writer does this: in any other process a live run may belong to the live writer.
   */
  private recover(): Promise<void> {
    if (this.deps.reader !== null) return Promise.resolve();
    this.recovered ??= (async () => {
      for (const run of await this.deps.runs.list()) {
        if (LIVE_STATES.has(run.state)) await this.deps.runs.save(interrupted(run));
      }
    })();
    return this.recovered;
  }

  /** A run as this process should show it (see {@link TrainingControllerDeps.reader}). */
  private shown(run: RunInfo): RunInfo {
    if (this.active?.run.id === run.id) return this.active.run;
    const reader = this.deps.reader;
    if (reader !== null && LIVE_STATES.has(run.state) && !reader.writerAlive())
      return interrupted(run);
    return run;
  }

  private async load(runId: string): Promise<RunInfo> {
    await this.recover();
    if (this.active?.run.id === runId) return this.active.run;
    const run = await this.deps.runs.load(runId);
    if (!run) throw new ExplorerError('NOT_FOUND', `No run ${runId}.`, { runId });
    return this.shown(run);
  }

  private assertWriter(): void {
    if (this.deps.reader !== null) {
      throw new ExplorerError(
        'UNSUPPORTED',
        `This process opened ${this.deps.dataDir} read-only: only the process holding its writer lock can train.`,
      );
    }
  }

  async start(req: TrainingRequest): Promise<RunInfo> {
    this.assertWriter();
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
      handled: Promise.resolve(),
    };
    this.active = active;
    this.deps.events.emit('train:state', active.run);
    const job: TrainJob = {
      runId: initial.id,
      runDir: this.deps.runs.dir(initial.id),
      libraryDir: dataDirLayout(this.deps.dataDir).library,
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

    // Announces exactly the state it wrote, and only once it is on disk: a later patch applied
    // meanwhile is announced by its own update, after its own write.
    const update = async (patch: Partial<RunInfo>): Promise<void> => {
      active.run = { ...active.run, ...patch };
      const snapshot = active.run;
      await this.deps.runs.save(snapshot);
      this.deps.events.emit('train:state', snapshot);
    };
    const wake = (what: 'paused' | 'resumed' | 'finished') => {
      for (const w of active.waiters.get(what) ?? []) w();
      active.waiters.delete(what);
    };

    // The worker's events are handled one after another, each to its end (writes included):
    // handled concurrently, an epoch's update could land after the final state, or the final
    // state be announced before it was written.
    const handle = async (event: TrainEvent): Promise<void> => {
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
            validation: event.validation,
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
    };
    const enqueue = (work: () => Promise<void>): void => {
      active.handled = active.handled
        .then(work)
        .catch((error: unknown) => console.error('Cannot record a training event:', error));
    };
    port.onMessage((raw) => enqueue(() => handle(raw as TrainEvent)));
    port.onExit((code) =>
      enqueue(async () => {
        if (this.active !== active) return; // It finished (or was replaced) normally.
        this.active = null;
        const message = `The training process ended unexpectedly (exit code ${String(code)}).${active.run.checkpoint ? ' Resume continues from the last checkpoint.' : ''}`;
        try {
          await update({ state: active.run.checkpoint ? 'interrupted' : 'failed', message });
        } finally {
          startedReject(new ExplorerError('INTERNAL', message));
          finish({ state: 'failed', message });
          wake('finished');
        }
      }),
    );

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
    this.assertWriter();
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
    this.assertWriter();
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
    this.assertWriter();
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
    return runs.map((r) => this.shown(r));
  }

  async detail(runId: string): Promise<RunDetail> {
    return this.deps.runs.detail(await this.load(runId));
  }

  async remove(runId: string): Promise<RunInfo[]> {
    this.assertWriter();
    await this.load(runId);
    if (this.active?.run.id === runId)
      throw new ExplorerError('BUSY', `Run ${runId} is training: cancel it before deleting it.`);
    await this.deps.runs.remove(runId);
    return this.list();
  }

  /** A run and its directory (NOT_FOUND if there is no such run). */
  async runDir(runId: string): Promise<{ run: RunInfo; dir: string }> {
    return { run: await this.load(runId), dir: this.deps.runs.dir(runId) };
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

  /**
   * Stops a training run after a checkpoint and records how it ended (cancelled, resumable), or
   * interrupted if the worker does not stop in time. Resolves once every run.json write landed.
   */
  async dispose(): Promise<void> {
    const active = this.active;
    if (active) {
      const finished = this.waitFor(active, 'finished');
      active.port.postMessage({ type: 'resume' });
      active.port.postMessage({ type: 'stop' });
      let timer: NodeJS.Timeout | undefined;
      const stopped = await Promise.race([
        finished.then(() => true),
        new Promise<boolean>((resolve) => (timer = setTimeout(resolve, STOP_TIMEOUT_MS, false))),
      ]);
      clearTimeout(timer);
      active.port.kill();
      if (!stopped && this.active === active) {
        this.active = null;
        const run: RunInfo = active.run.checkpoint
          ? interrupted(active.run)
          : { ...active.run, state: 'failed', message: 'Stopped before its first checkpoint.' };
        await this.deps.runs.save(run);
        this.deps.events.emit('train:state', run);
      }
      await active.handled;
    }
    await this.deps.runs.flush();
  }
}
