/**
 * Public surface of the VAE engine for app/service and the training worker. Everything here
 * takes option objects and plain arrays or tensors the caller owns (see each function); nothing
 * selects or names a backend except `registerTrainingKernels(backendName)`, which backend
 * selection calls once the backend is chosen.
 */
export {
  defaultConfigFor,
  validateConfig,
  pixelsPerImage,
  VaeConfigError,
  DEFAULT_GAUSSIAN_SIGMA,
  type Architecture,
  type Likelihood,
  type VaeConfig,
} from './model/config';
export {
  countParameters,
  createVae,
  decodeTensor,
  disposeVae,
  encodeTensor,
  vaeFromModels,
  type CreateVaeOptions,
  type Vae,
} from './model/vae';
export {
  annealedBeta,
  gaussianKl,
  reconstructionNll,
  vaeLoss,
  type LossOptions,
  type LossTensors,
} from './loss';
export { activeUnits, type ActiveUnits } from './active-units';
export { batchTensor, forwardLoss, lossAndGradients, reparameterize } from './forward';
export {
  VaeTrainer,
  DEFAULT_ADAM,
  type AdamSettings,
  type BatchInput,
  type StepMetrics,
  type TrainerState,
  type TrainOptions,
} from './train-step';
export {
  encodeImages,
  decodeLatents,
  reconstructImages,
  type BatchOptions,
  type Posteriors,
} from './inference';
export {
  evaluateElbo,
  iwaeBound,
  type ElboResult,
  type EvaluateOptions,
  type IwaeOptions,
  type IwaeResult,
} from './evaluate';
export {
  loadCheckpoint,
  readCheckpointConfig,
  resolveCheckpoint,
  restoreTrainer,
  saveCheckpoint,
  type CheckpointConfig,
  type LoadedCheckpoint,
  type SaveCheckpointOptions,
} from './checkpoint';
export { fileSystemIOHandler } from './fs-io-handler';
export { registerTrainingKernels, restoreOriginalKernels, isReplaced } from './kernels/register';
export type { RngState } from './rng';
