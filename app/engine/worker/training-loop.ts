/**
 * One training run inside the training worker: builds or restores the model, runs epochs of
 * Adam steps over the library's pixels, evaluates on the held-out images after each epoch,
 * checkpoints atomically every N steps, at each epoch end and when stopped, and reports
 * everything as {@link TrainEvent}s. Pausing keeps the model in memory; stopping saves first.
 */
import type { EngineStatus, EpochReport, StepReport, ValidationSample } from '../../contract';
import { ExplorerError } from '../../contract';
import type { Library } from '../../library';
import { activeUnits } from '../active-units';
import { loadCheckpoint, restoreTrainer, saveCheckpoint } from '../checkpoint';
import { evaluateElbo } from '../evaluate';
import { encodeImages, reconstructImages } from '../inference';
import { createVae, disposeVae, type Vae } from '../model/vae';
import { checkpointDir } from '../run-layout';
import { VaeTrainer } from '../train-step';
import {
  MAX_VALIDATION_IMAGES,
  epochOrder,
  libraryPixelSource,
  splitByHash,
  validationSample,
  type PixelSource,
  type Split,
} from './dataset';
import { toDecodedImages } from './images';
import { ReplayRecorder } from './replay-recorder';
import type { TrainEvent, TrainJob } from './protocol';

const SAMPLE_IMAGES = 8;
const STEP_REPORT_INTERVAL_MS = 250;

interface Progress {
  bestValidationLoss: number | null;
  epochsWithoutImprovement: number;
}

/** The images evaluated after each epoch: the same every epoch and across resumes. */
interface EvaluationSet {
  slots: number[];
  imageIds: number[];
  /** False when nothing is held out: the images are then training images. */
  heldOut: boolean;
  validation: ValidationSample;
}

/**
 * The held-out images each epoch is evaluated on (a seeded sample, see `validationSample`), or a
 * sample of the training images for the KL and reconstructions when nothing is held out.
 */
export function evaluationSet(split: Split, seed: number): EvaluationSet {
  const heldOut = split.validation.slots.length > 0;
  const side = heldOut ? split.validation : split.train;
  const { indices, sampling } = validationSample(side.slots.length, MAX_VALIDATION_IMAGES, seed);
  return {
    slots: Array.from(indices, (i) => side.slots[i] as number),
    imageIds: Array.from(indices, (i) => side.imageIds[i] as number),
    heldOut,
    validation: heldOut
      ? { images: indices.length, of: side.slots.length, sampling }
      : { images: 0, of: 0, sampling: 'all' },
  };
}

export interface TrainingLoopDeps {
  send(event: TrainEvent): void;
  engine: EngineStatus;
  openLibrary(dir: string): Promise<Library>;
}

/**
 * The [start, end) of each batch of an epoch. A remainder smaller than half a batch joins the
 * last full batch instead of making a tiny, noisy step of its own.
 */
export function batchBounds(count: number, batchSize: number): [number, number][] {
  const bounds: [number, number][] = [];
  for (let start = 0; start < count; start += batchSize)
    bounds.push([start, Math.min(start + batchSize, count)]);
  const last = bounds.at(-1);
  if (bounds.length > 1 && last && last[1] - last[0] < batchSize / 2) {
    bounds.pop();
    (bounds.at(-1) as [number, number])[1] = count;
  }
  return bounds;
}

export class TrainingLoop {
  private paused = false;
  private stopping = false;
  private wake: (() => void) | null = null;

  constructor(
    private readonly job: TrainJob,
    private readonly deps: TrainingLoopDeps,
  ) {}

  pause(): void {
    if (this.paused || this.stopping) return;
    this.paused = true;
    this.deps.send({ type: 'paused' });
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.deps.send({ type: 'resumed' });
    this.wake?.();
  }

  stop(): void {
    this.stopping = true;
    this.wake?.();
  }

  private async waitWhilePaused(): Promise<void> {
    while (this.paused && !this.stopping)
      await new Promise<void>((resolve) => (this.wake = resolve));
    this.wake = null;
  }

  async run(): Promise<void> {
    let library: Library | null = null;
    let vae: Vae | null = null;
    try {
      library = await this.deps.openLibrary(this.job.libraryDir);
      const set = library.trainingSet(this.job.spec, this.job.settings.folderIds);
      const split = splitByHash(set, this.job.settings.validationFraction);
      const trainCount = split.train.slots.length;
      if (trainCount === 0) {
        throw new ExplorerError(
          'BAD_REQUEST',
          'No ingested images to train on: add a folder and let its ingest finish first.',
        );
      }
      const { epochs } = this.job.settings;
      const stepsPerEpoch = batchBounds(trainCount, this.job.settings.batchSize).length;
      const { trainer, progress } = await this.prepare();
      vae = trainer.vae;
      const source = libraryPixelSource(library, this.job.spec);
      const evaluation = evaluationSet(split, this.job.settings.seed);
      const replay = await ReplayRecorder.open({
        runDir: this.job.runDir,
        resume: this.job.resume,
        seed: this.job.settings.seed,
        set,
        source,
        vae,
      });
      this.deps.send({
        type: 'started',
        trainImages: trainCount,
        validationImages: split.validation.slots.length,
        validation: evaluation.validation,
        stepsPerEpoch,
        totalSteps: stepsPerEpoch * epochs,
        step: trainer.step,
        epoch: trainer.epoch,
      });
      const outcome = await this.epochs(
        trainer,
        progress,
        source,
        split,
        evaluation,
        stepsPerEpoch,
        replay,
      );
      if (outcome.state === 'completed')
        await replay.maybeRecord(vae, trainer.step, trainer.epoch, trainer.step, true);
      await this.save(trainer, progress);
      this.deps.send({ type: 'finished', state: outcome.state, message: outcome.message });
    } catch (error) {
      const apiError =
        error instanceof ExplorerError
          ? error.toJSON()
          : {
              code: 'INTERNAL' as const,
              message: error instanceof Error ? error.message : String(error),
            };
      this.deps.send({
        type: 'finished',
        state: 'failed',
        message: apiError.message,
        error: apiError,
      });
    } finally {
      if (vae) disposeVae(vae);
      await library?.close();
    }
  }

  private async prepare(): Promise<{ trainer: VaeTrainer; progress: Progress }> {
    const { settings, model } = this.job;
    if (this.job.resume) {
      const loaded = await loadCheckpoint(checkpointDir(this.job.runDir));
      const extra = (loaded.config.extra ?? {}) as Partial<Progress>;
      const trainer = await restoreTrainer(loaded);
      return {
        trainer,
        progress: {
          bestValidationLoss: extra.bestValidationLoss ?? null,
          epochsWithoutImprovement: extra.epochsWithoutImprovement ?? 0,
        },
      };
    }
    const vae = createVae(model, { seed: settings.seed });
    const trainer = new VaeTrainer(vae, {
      learningRate: settings.learningRate,
      beta: settings.beta,
      warmupSteps: settings.warmupSteps,
      freeBits: settings.freeBits,
      seed: settings.seed,
    });
    return { trainer, progress: { bestValidationLoss: null, epochsWithoutImprovement: 0 } };
  }

  private async save(trainer: VaeTrainer, progress: Progress): Promise<void> {
    const config = await saveCheckpoint(checkpointDir(this.job.runDir), {
      vae: trainer.vae,
      trainer,
      training: {
        learningRate: this.job.settings.learningRate,
        beta: this.job.settings.beta,
        warmupSteps: this.job.settings.warmupSteps,
        freeBits: this.job.settings.freeBits,
        seed: this.job.settings.seed,
      },
      extra: { runId: this.job.runId, ...progress },
    });
    this.deps.send({
      type: 'checkpoint',
      checkpoint: { step: config.state.step, epoch: config.state.epoch, savedAt: config.savedAt },
    });
  }

  private async epochs(
    trainer: VaeTrainer,
    progress: Progress,
    source: PixelSource,
    split: Split,
    evaluation: EvaluationSet,
    stepsPerEpoch: number,
    replay: ReplayRecorder,
  ): Promise<{ state: 'completed' | 'cancelled'; message: string | null }> {
    const { batchSize, epochs, checkpointEverySteps, seed, earlyStoppingPatience } =
      this.job.settings;
    const trainSlots = split.train.slots;
    const bounds = batchBounds(trainSlots.length, batchSize);
    const totalSteps = stepsPerEpoch * epochs;
    let lastReport = 0;
    const started = Date.now();
    const startStep = trainer.step;
    while (trainer.epoch < epochs) {
      const order = epochOrder(trainSlots.length, seed, trainer.epoch);
      let lossSum = 0;
      let lossCount = 0;
      // After a resume mid-epoch, the same order is replayed and the done batches are skipped.
      for (let b = trainer.step - trainer.epoch * stepsPerEpoch; b < stepsPerEpoch; b++) {
        await this.waitWhilePaused();
        if (this.stopping)
          return {
            state: 'cancelled',
            message: 'Stopped by the user; resume continues from the checkpoint.',
          };
        const [from, to] = bounds[b] as [number, number];
        const slots = Array.from(order.subarray(from, to), (i) => trainSlots[i] as number);
        const batch = await source.read(slots);
        const m = trainer.trainStep(batch);
        lossSum += m.loss;
        lossCount += 1;
        await replay.maybeRecord(trainer.vae, trainer.step, trainer.epoch, totalSteps);
        const now = Date.now();
        const last = b === stepsPerEpoch - 1;
        if (now - lastReport >= STEP_REPORT_INTERVAL_MS || last) {
          lastReport = now;
          const rate =
            ((trainer.step - startStep) * batchSize) / Math.max((now - started) / 1000, 1e-3);
          const report: StepReport = {
            runId: this.job.runId,
            step: m.step,
            epoch: trainer.epoch,
            loss: m.loss,
            reconstruction: m.reconstruction,
            kl: m.kl,
            negElbo: m.negElbo,
            beta: m.beta,
            klPerDim: Array.from(m.klPerDim),
            imagesPerSec: m.imagesPerSec,
            etaSec: rate > 0 ? ((totalSteps - trainer.step) * batchSize) / rate : 0,
            backend: this.deps.engine.backend,
          };
          this.deps.send({ type: 'step', report });
        }
        if (trainer.step % checkpointEverySteps === 0 && !last) await this.save(trainer, progress);
        // Let pause/stop messages in between steps.
        await new Promise((resolve) => setImmediate(resolve));
      }
      trainer.epoch += 1;
      const report = await this.evaluateEpoch(
        trainer,
        source,
        evaluation,
        lossCount > 0 ? lossSum / lossCount : NaN,
      );
      const val = report.validation?.negElbo ?? null;
      if (
        val !== null &&
        (progress.bestValidationLoss === null || val < progress.bestValidationLoss)
      ) {
        progress.bestValidationLoss = val;
        progress.epochsWithoutImprovement = 0;
      } else if (val !== null) {
        progress.epochsWithoutImprovement += 1;
      }
      this.deps.send({ type: 'epoch', report, bestValidationLoss: progress.bestValidationLoss });
      await this.save(trainer, progress);
      if (earlyStoppingPatience > 0 && progress.epochsWithoutImprovement >= earlyStoppingPatience) {
        return {
          state: 'completed',
          message: `Stopped early: no better validation loss for ${earlyStoppingPatience} epochs.`,
        };
      }
    }
    return { state: 'completed', message: null };
  }

  private async evaluateEpoch(
    trainer: VaeTrainer,
    source: PixelSource,
    evaluation: EvaluationSet,
    trainLoss: number,
  ): Promise<EpochReport> {
    const vae = trainer.vae;
    const { size, channels } = this.job.spec;
    const { slots, imageIds } = evaluation;
    const images = await source.read(slots);
    const elbo = await evaluateElbo(vae, images, { batchSize: 128 });
    const posteriors = await encodeImages(vae, images, { batchSize: 128 });
    const units = activeUnits(posteriors.mu, vae.config.latentDim);
    const sampleCount = Math.min(SAMPLE_IMAGES, slots.length);
    const originals = images.subarray(0, sampleCount * source.pixelsPerImage);
    const recon = await reconstructImages(vae, originals);
    const originalImages = toDecodedImages(originals, sampleCount, size, channels);
    const reconImages = toDecodedImages(recon, sampleCount, size, channels);
    return {
      runId: this.job.runId,
      epoch: trainer.epoch,
      step: trainer.step,
      trainLoss,
      validation: evaluation.heldOut
        ? { negElbo: elbo.negElbo, reconstruction: elbo.reconstruction, kl: elbo.kl }
        : null,
      activeUnits: units.indices.length,
      activeDims: units.indices,
      klPerDim: Array.from(elbo.klPerDim),
      samples: Array.from({ length: sampleCount }, (_, i) => ({
        imageId: imageIds[i] as number,
        original: originalImages[i]!,
        reconstruction: reconImages[i]!,
      })),
    };
  }
}
