/** Resolves a TrainingRequest into a full model config and settings, with sensible defaults. */
import {
  ExplorerError,
  type FolderInfo,
  type ModelConfig,
  type PreprocessSpec,
  type TrainingRequest,
  type TrainingSettings,
} from '../contract';
import {
  DEFAULT_GAUSSIAN_SIGMA,
  VaeConfigError,
  defaultConfigFor,
  validateConfig,
} from '../engine';

export interface ResolvedTraining {
  spec: PreprocessSpec;
  model: ModelConfig;
  settings: TrainingSettings;
}

function sameSpec(a: PreprocessSpec, b: PreprocessSpec): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export function resolveTraining(
  req: TrainingRequest,
  folders: FolderInfo[],
  randomSeed: number,
): ResolvedTraining {
  const chosen = req.folderIds ? folders.filter((f) => req.folderIds?.includes(f.id)) : folders;
  const unknown = (req.folderIds ?? []).filter((id) => !folders.some((f) => f.id === id));
  if (unknown.length > 0)
    throw new ExplorerError('NOT_FOUND', `No folder with id ${unknown.join(', ')} in the library.`);
  if (chosen.length === 0)
    throw new ExplorerError(
      'BAD_REQUEST',
      'The library is empty: add a folder of images before training.',
    );
  const spec = chosen[0]!.spec;
  const other = chosen.find((f) => !sameSpec(f.spec, spec));
  if (other) {
    throw new ExplorerError(
      'BAD_REQUEST',
      `${chosen[0]!.path} and ${other.path} use different model inputs (${spec.size} px x${spec.channels} vs ${other.spec.size} px x${other.spec.channels}): train on folders with the same input, or re-add one with the other's.`,
    );
  }
  if (spec.size < 28 || spec.size > 128) {
    throw new ExplorerError(
      'BAD_REQUEST',
      `The model input is ${spec.size} px; the VAE engine supports 28 to 128 px: re-add the folder with --size in that range.`,
    );
  }
  const defaults = defaultConfigFor(spec.size, spec.channels);
  const architecture = req.model?.architecture ?? defaults.architecture;
  // The MLP default is the classic 784-512-L layout; conv widths do not carry over to it.
  const widths = req.model?.widths ?? (architecture === 'mlp' ? [512] : defaults.widths);
  let model: ModelConfig;
  try {
    const valid = validateConfig({
      architecture,
      imageSize: spec.size,
      channels: spec.channels,
      latentDim: req.model?.latentDim ?? defaults.latentDim,
      widths,
      likelihood: req.model?.likelihood ?? defaults.likelihood,
      gaussianSigma: req.model?.gaussianSigma ?? DEFAULT_GAUSSIAN_SIGMA,
    });
    model = { ...valid, gaussianSigma: valid.gaussianSigma };
  } catch (error) {
    if (error instanceof VaeConfigError)
      throw new ExplorerError('BAD_REQUEST', error.message, { problems: error.problems });
    throw error;
  }
  const settings: TrainingSettings = {
    folderIds: chosen.map((f) => f.id),
    epochs: req.epochs ?? 20,
    batchSize: req.batchSize ?? (architecture === 'mlp' ? 128 : 64),
    learningRate: req.learningRate ?? 1e-3,
    beta: req.beta ?? 1,
    warmupSteps: req.warmupSteps ?? 0,
    freeBits: req.freeBits ?? 0,
    validationFraction: req.validationFraction ?? 0.1,
    earlyStoppingPatience: req.earlyStoppingPatience ?? 0,
    checkpointEverySteps: req.checkpointEverySteps ?? 200,
    seed: req.seed ?? randomSeed,
  };
  return { spec, model, settings };
}
