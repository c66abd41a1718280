/**
 * VAE model configuration: the option object every model factory takes, its validation, and
 * `defaultConfigFor`, the settings a user gets without opening the settings panel.
 *
 * Plain data only (no tensors), so it can be stored in `config.json` next to a checkpoint and
 * sent over the contract unchanged.
 */

export type Architecture = 'conv' | 'mlp';
export type Likelihood = 'bernoulli' | 'gaussian';

export interface VaeConfig {
  /** 'conv': strided convolutions (the default); 'mlp': fully connected layers on the flattened image. */
  architecture: Architecture;
  /** Images are square, `imageSize` x `imageSize` pixels, 28..128. */
  imageSize: number;
  /** 1 (grayscale) or 3 (RGB); images are NHWC float32 in [0, 1]. */
  channels: 1 | 3;
  /** Size of the latent code z, 2..256. */
  latentDim: number;
  /**
   * conv: filters of each stride-2 level of the encoder (the decoder mirrors them), e.g. [32, 64]
   * takes 28x28 -> 14x14 -> 7x7. mlp: units of each hidden layer, e.g. [512].
   */
  widths: number[];
  /** Pixel likelihood p(x|z). */
  likelihood: Likelihood;
  /**
   * Fixed standard deviation of the Gaussian likelihood, in intensity units (pixels in [0, 1]).
   * Ignored for 'bernoulli'. Defaults to {@link DEFAULT_GAUSSIAN_SIGMA}.
   */
  gaussianSigma?: number;
}

/**
 * Default σ of the Gaussian likelihood. With intensities in [0, 1], σ = 0.1 weights the summed
 * squared error by 1/(2σ²) = 50, which keeps reconstructions sharp; σ near 1 lets the KL term win
 * and the posterior collapses to the prior (blurry means, few active units).
 */
export const DEFAULT_GAUSSIAN_SIGMA = 0.1;

export const IMAGE_SIZE_RANGE = { min: 28, max: 128 } as const;
export const LATENT_DIM_RANGE = { min: 2, max: 256 } as const;
export const MAX_WIDTH = 1024;
export const MAX_CONV_LEVELS = 6;
export const MAX_MLP_LAYERS = 4;

/** Thrown by {@link validateConfig}; `problems` lists every invalid field, one sentence each. */
export class VaeConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Invalid VAE configuration: ${problems.join(' ')}`);
    this.name = 'VaeConfigError';
    this.problems = problems;
  }
}

function isInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v);
}

/** Spatial sizes of the conv encoder's feature maps, input first: 28 -> [28, 14, 7]. */
export function convSpatialSizes(imageSize: number, levels: number): number[] {
  const sizes = [imageSize];
  for (let i = 0; i < levels; i++) sizes.push(Math.ceil((sizes[i] as number) / 2));
  return sizes;
}

/**
 * Checks every field and returns a complete config (gaussianSigma filled in).
 * Throws a {@link VaeConfigError} naming all the problems at once.
 */
export function validateConfig(input: VaeConfig): Required<VaeConfig> {
  const c = input as Partial<VaeConfig> | null | undefined;
  if (c === null || typeof c !== 'object')
    throw new VaeConfigError(['The configuration must be an object.']);
  const problems: string[] = [];
  if (c.architecture !== 'conv' && c.architecture !== 'mlp') {
    problems.push(`architecture must be 'conv' or 'mlp' (got ${JSON.stringify(c.architecture)}).`);
  }
  const { min: sMin, max: sMax } = IMAGE_SIZE_RANGE;
  if (!isInt(c.imageSize) || c.imageSize < sMin || c.imageSize > sMax) {
    problems.push(
      `imageSize must be an integer from ${sMin} to ${sMax} (got ${JSON.stringify(c.imageSize)}).`,
    );
  }
  if (c.channels !== 1 && c.channels !== 3) {
    problems.push(`channels must be 1 or 3 (got ${JSON.stringify(c.channels)}).`);
  }
  const { min: lMin, max: lMax } = LATENT_DIM_RANGE;
  if (!isInt(c.latentDim) || c.latentDim < lMin || c.latentDim > lMax) {
    problems.push(
      `latentDim must be an integer from ${lMin} to ${lMax} (got ${JSON.stringify(c.latentDim)}).`,
    );
  }
  if (!Array.isArray(c.widths) || c.widths.length === 0) {
    problems.push('widths must be a non-empty array of layer widths.');
  } else {
    if (!c.widths.every((w) => isInt(w) && w >= 1 && w <= MAX_WIDTH)) {
      problems.push(
        `every width must be an integer from 1 to ${MAX_WIDTH} (got ${JSON.stringify(c.widths)}).`,
      );
    }
    if (c.architecture === 'conv' && c.widths.length > MAX_CONV_LEVELS) {
      problems.push(`a conv model has at most ${MAX_CONV_LEVELS} levels (got ${c.widths.length}).`);
    }
    if (c.architecture === 'conv' && isInt(c.imageSize) && c.widths.length <= MAX_CONV_LEVELS) {
      const last = convSpatialSizes(c.imageSize, c.widths.length).at(-1) as number;
      if (last < 2) {
        problems.push(
          `${c.widths.length} stride-2 levels shrink ${c.imageSize}x${c.imageSize} to ${last}x${last}; use fewer widths.`,
        );
      }
    }
    if (c.architecture === 'mlp' && c.widths.length > MAX_MLP_LAYERS) {
      problems.push(
        `an mlp model has at most ${MAX_MLP_LAYERS} hidden layers (got ${c.widths.length}).`,
      );
    }
  }
  if (c.likelihood !== 'bernoulli' && c.likelihood !== 'gaussian') {
    problems.push(
      `likelihood must be 'bernoulli' or 'gaussian' (got ${JSON.stringify(c.likelihood)}).`,
    );
  }
  const sigma = c.gaussianSigma ?? DEFAULT_GAUSSIAN_SIGMA;
  if (typeof sigma !== 'number' || !Number.isFinite(sigma) || sigma <= 0 || sigma > 10) {
    problems.push(
      `gaussianSigma must be a number in (0, 10] (got ${JSON.stringify(c.gaussianSigma)}).`,
    );
  }
  if (problems.length > 0) throw new VaeConfigError(problems);
  const v = c as VaeConfig;
  return {
    architecture: v.architecture,
    imageSize: v.imageSize,
    channels: v.channels,
    latentDim: v.latentDim,
    widths: [...v.widths],
    likelihood: v.likelihood,
    gaussianSigma: sigma,
  };
}

/**
 * A good model for images of this size when the user never opens the settings.
 *
 * - Architecture: convolutional. Convolutions share weights across the image, so they need far
 *   fewer parameters than an MLP and train faster on the CPU/WASM backends for the same quality.
 * - Depth: stride-2 levels until the feature map is at most 8x8 (28 -> 7, 32 -> 8, 64 -> 8,
 *   128 -> 8). Smaller maps throw away layout the decoder must then invent; larger ones make the
 *   dense layer to z huge (8*8*256 inputs already).
 * - Widths: 32 filters doubled per level, capped at 256, the usual DCGAN-style progression: cheap
 *   at full resolution, more capacity where the map is small.
 * - Latent size: 16 up to 32 px, 32 up to 64 px, 64 above. Enough to reconstruct recognisably,
 *   small enough that a few dozen dims are active and projections (PCA/UMAP) stay meaningful.
 *   Unused dims collapse to the prior and cost nothing but a little compute.
 * - Likelihood: Bernoulli for grayscale (digits, sketches, scans: nearly binary intensities, the
 *   classic MNIST setting; cross-entropy gives crisp strokes); Gaussian with σ = 0.1 for colour
 *   photos, whose intensities are continuous and rarely near 0 or 1.
 */
export function defaultConfigFor(imageSize: number, channels: 1 | 3): Required<VaeConfig> {
  let levels = 1;
  while (Math.ceil(imageSize / 2 ** levels) > 8 && levels < MAX_CONV_LEVELS) levels++;
  const widths = Array.from({ length: levels }, (_, i) => Math.min(256, 32 * 2 ** i));
  const latentDim = imageSize <= 32 ? 16 : imageSize <= 64 ? 32 : 64;
  return validateConfig({
    architecture: 'conv',
    imageSize,
    channels,
    latentDim,
    widths,
    likelihood: channels === 1 ? 'bernoulli' : 'gaussian',
    gaussianSigma: DEFAULT_GAUSSIAN_SIGMA,
  });
}

/** Number of float32 values in one image of this config (H * W * C). */
export function pixelsPerImage(config: Pick<VaeConfig, 'imageSize' | 'channels'>): number {
  return config.imageSize * config.imageSize * config.channels;
}
