/**
 * Records the training replay (see replay-files.ts) from inside the training loop: a fixed,
 * seeded sample of the run's images is encoded, and fixed prior codes decoded, at each
 * log-spaced step.
 */
import { samplePrior } from '../../latent';
import { decodeLatents, encodeImages } from '../inference';
import type { Vae } from '../model/vae';
import {
  REPLAY_PRIOR_COUNT,
  REPLAY_SAMPLE_MAX,
  isReplayStep,
  openReplay,
  writeReplayFrame,
  type ReplayIndexFile,
} from '../replay-files';
import { validationSample, type PixelSource } from './dataset';

export class ReplayRecorder {
  private lastStep = -1;

  private constructor(
    private readonly runDir: string,
    private readonly index: ReplayIndexFile,
    private readonly source: PixelSource,
    private readonly slots: number[],
    private readonly prior: Float32Array,
  ) {}

  /** The sample: up to REPLAY_SAMPLE_MAX of the run's images (seeded), in image-id order. */
  static async open(options: {
    runDir: string;
    resume: boolean;
    seed: number;
    set: { imageIds: number[]; slots: number[] };
    source: PixelSource;
    vae: Vae;
  }): Promise<ReplayRecorder> {
    const { set, vae, seed } = options;
    // Its own stream of the seed (not the validation sample's).
    const { indices } = validationSample(set.slots.length, REPLAY_SAMPLE_MAX, seed ^ 0x2e9a);
    const picked = Array.from(indices).sort((a, b) => a - b);
    const { latentDim, imageSize, channels } = vae.config;
    const index = await openReplay(
      options.runDir,
      {
        dims: latentDim,
        size: imageSize,
        channels,
        sampleImageIds: picked.map((i) => set.imageIds[i] as number),
        priorCount: REPLAY_PRIOR_COUNT,
      },
      options.resume,
    );
    return new ReplayRecorder(
      options.runDir,
      index,
      options.source,
      picked.map((i) => set.slots[i] as number),
      samplePrior(REPLAY_PRIOR_COUNT, latentDim, seed),
    );
  }

  /** Records a frame when `step` is a replay step (or `force`, e.g. the last step of a run). */
  async maybeRecord(vae: Vae, step: number, epoch: number, totalSteps: number, force = false) {
    if (step === this.lastStep || this.slots.length === 0) return;
    if (!force && !isReplayStep(step, totalSteps)) return;
    this.lastStep = step;
    const images = await this.source.read(this.slots);
    const posteriors = await encodeImages(vae, images, { batchSize: 256 });
    const decoded = await decodeLatents(vae, this.prior, { batchSize: 64 });
    const prior = Uint8Array.from(decoded, (v) => Math.max(0, Math.min(255, Math.round(v * 255))));
    await writeReplayFrame(this.runDir, this.index, {
      step,
      epoch,
      mu: posteriors.mu,
      logVar: posteriors.logVar,
      prior,
    });
  }
}
