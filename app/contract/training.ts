/** DTOs of training runs, metrics and inference (part of the contract; see api.ts). */
import type { BackendName, PreprocessSpec } from './api';
import { formatCount } from './format';

export type RunState =
  'starting' | 'running' | 'paused' | 'completed' | 'cancelled' | 'failed' | 'interrupted';

/** The model of a run, fully resolved (defaults applied). */
export interface ModelConfig {
  architecture: 'conv' | 'mlp';
  imageSize: number;
  channels: 1 | 3;
  latentDim: number;
  widths: number[];
  likelihood: 'bernoulli' | 'gaussian';
  gaussianSigma: number;
}

/** Training settings of a run, fully resolved. */
export interface TrainingSettings {
  folderIds: number[];
  epochs: number;
  batchSize: number;
  learningRate: number;
  beta: number;
  warmupSteps: number;
  freeBits: number;
  validationFraction: number;
  earlyStoppingPatience: number;
  checkpointEverySteps: number;
  seed: number;
}

/** What a run gets for each setting the request leaves out, for a given model input. */
export interface TrainingDefaults {
  model: ModelConfig;
  settings: Omit<TrainingSettings, 'folderIds' | 'seed'>;
}

export interface CheckpointInfo {
  step: number;
  epoch: number;
  savedAt: string;
}

/**
 * Which held-out images the per-epoch validation −ELBO is measured on: the same ones every epoch
 * and across resumes (drawn from the run's seed), so the curve compares like with like.
 */
export interface ValidationSample {
  /** Images evaluated at the end of each epoch. */
  images: number;
  /** Images in the run's held-out split. */
  of: number;
  /** 'all': every held-out image; 'random': a seeded uniform sample of `images` of them. */
  sampling: 'all' | 'random';
}

/** What the validation −ELBO is measured on: "a random 2,000 of 6,000 held-out images". */
export function describeValidationSample(v: ValidationSample): string {
  if (v.of === 0 || v.images === 0) return 'no held-out images';
  if (v.sampling === 'all')
    return v.of === 1 ? 'the one held-out image' : `all ${formatCount(v.of, 'held-out image')}`;
  return `a random ${v.images.toLocaleString('en-US')} of ${formatCount(v.of, 'held-out image')}`;
}

export interface RunInfo {
  id: string;
  createdAt: string;
  state: RunState;
  model: ModelConfig;
  settings: TrainingSettings;
  /** The preprocessing of the run's folders (the model's input). */
  spec: PreprocessSpec;
  trainImages: number;
  validationImages: number;
  /** What the validation −ELBO is measured on; absent until the worker has started the run. */
  validation?: ValidationSample;
  stepsPerEpoch: number;
  /** Optimisation steps done / planned. */
  step: number;
  totalSteps: number;
  /** Epochs completed. */
  epoch: number;
  /** Backend the run trains on (as reported by the worker). */
  backend: BackendName | null;
  device: 'gpu' | 'cpu' | null;
  /** Latest complete checkpoint (what resume and inference use), or null before the first. */
  checkpoint: CheckpointInfo | null;
  /** Best validation −ELBO so far (nats per image). */
  bestValidationLoss: number | null;
  /** Why the run failed, or stopped early. */
  message: string | null;
}

/** One optimisation step, streamed while training (throttled to a few per second). */
export interface StepReport {
  runId: string;
  step: number;
  epoch: number;
  /** Optimised objective (β-weighted, free bits), nats per image. */
  loss: number;
  reconstruction: number;
  kl: number;
  negElbo: number;
  beta: number;
  klPerDim: number[];
  imagesPerSec: number;
  /** Seconds left at the current rate. */
  etaSec: number;
  backend: BackendName | null;
}

export interface DecodedImage {
  width: number;
  height: number;
  channels: 1 | 3;
  /** Pixels as base64 of uint8 values, row-major, interleaved channels (HWC). */
  data: string;
}

/** End-of-epoch evaluation on the held-out images. */
export interface EpochReport {
  runId: string;
  epoch: number;
  step: number;
  trainLoss: number;
  validation: { negElbo: number; reconstruction: number; kl: number } | null;
  /** Latent dimensions whose posterior mean varies across the data (variance > 0.01). */
  activeUnits: number;
  /** Which dimensions are active (0-based). */
  activeDims: number[];
  /** Mean KL per dimension on the validation images. */
  klPerDim: number[];
  /** A few validation images and their reconstructions, for the UI. */
  samples: { imageId: number; original: DecodedImage; reconstruction: DecodedImage }[];
}

export interface RunDetail {
  run: RunInfo;
  /** Step metrics, downsampled to at most ~2000 points. */
  steps: Omit<StepReport, 'klPerDim' | 'runId' | 'backend'>[];
  epochs: Omit<EpochReport, 'samples' | 'runId'>[];
}

export interface Posterior {
  imageId: number;
  mu: number[];
  logVar: number[];
}

export interface PriorSample {
  latents: number[][];
  images: DecodedImage[];
}

export interface EvaluationReport {
  runId: string;
  images: number;
  negElbo: number;
  reconstruction: number;
  kl: number;
  /** −log p(x) upper bound from importance weighting (tighter than the ELBO), if asked for. */
  iwae: { samples: number; negLogLikelihood: number } | null;
  activeUnits: number;
  /** The validation images with the worst ELBO (outliers), worst first. */
  worst: { imageId: number; negElbo: number }[];
}
