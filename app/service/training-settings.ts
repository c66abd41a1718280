/** Resolves a TrainingRequest into a full model config and settings, with sensible defaults. */
import {
  ExplorerError,
  type FolderInfo,
  type ModelConfig,
  type PreprocessSpec,
  type TrainingDefaults,
  type TrainingRequest,
  type TrainingSettings,
} from '../contract';
import {
  DEFAULT_GAUSSIAN_SIGMA,
  VaeConfigError,
  defaultConfigFor,
  validateConfig,
} from '../engine/model/config';

export interface ResolvedTraining {
  spec: PreprocessSpec;
  model: ModelConfig;
  settings: TrainingSettings;
}

function sameSpec(a: PreprocessSpec, b: PreprocessSpec): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * The defaults of a run for a model input: the engine's `defaultConfigFor` (conv, latent and
 * widths by image size, Bernoulli for grey / Gaussian for colour), or the classic 784-512-L
 * layout for the MLP, and settings that train a good model without tuning.
 */
export function trainingDefaults(
  size: number,
  channels: 1 | 3,
  architecture?: 'conv' | 'mlp',
): TrainingDefaults {
  const engine = defaultConfigFor(size, channels);
  const arch = architecture ?? engine.architecture;
  return {
    model: {
      ...engine,
      architecture: arch,
      // Conv widths do not carry over to the MLP.
      widths: arch === 'mlp' ? [512] : engine.widths,
      gaussianSigma: engine.gaussianSigma ?? DEFAULT_GAUSSIAN_SIGMA,
    },
    settings: {
      epochs: 20,
      batchSize: arch === 'mlp' ? 128 : 64,
      learningRate: 1e-3,
      beta: 1,
      warmupSteps: 0,
      freeBits: 0,
      validationFraction: 0.1,
      earlyStoppingPatience: 0,
      checkpointEverySteps: 200,
    },
  };
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
  const base = trainingDefaults(spec.size, spec.channels, req.model?.architecture);
  let model: ModelConfig;
  try {
    const valid = validateConfig({
      ...base.model,
      ...(req.model?.latentDim !== undefined ? { latentDim: req.model.latentDim } : {}),
      ...(req.model?.widths !== undefined ? { widths: req.model.widths } : {}),
      ...(req.model?.likelihood !== undefined ? { likelihood: req.model.likelihood } : {}),
      ...(req.model?.gaussianSigma !== undefined ? { gaussianSigma: req.model.gaussianSigma } : {}),
    });
    model = { ...valid, gaussianSigma: valid.gaussianSigma };
  } catch (error) {
    if (error instanceof VaeConfigError)
      throw new ExplorerError('BAD_REQUEST', error.message, { problems: error.problems });
    throw error;
  }
  const d = base.settings;
  const settings: TrainingSettings = {
    folderIds: chosen.map((f) => f.id),
    epochs: req.epochs ?? d.epochs,
    batchSize: req.batchSize ?? d.batchSize,
    learningRate: req.learningRate ?? d.learningRate,
    beta: req.beta ?? d.beta,
    warmupSteps: req.warmupSteps ?? d.warmupSteps,
    freeBits: req.freeBits ?? d.freeBits,
    validationFraction: req.validationFraction ?? d.validationFraction,
    earlyStoppingPatience: req.earlyStoppingPatience ?? d.earlyStoppingPatience,
    checkpointEverySteps: req.checkpointEverySteps ?? d.checkpointEverySteps,
    seed: req.seed ?? randomSeed,
  };
  return { spec, model, settings };
}
