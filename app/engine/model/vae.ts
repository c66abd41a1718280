/**
 * The VAE as two separate `tf.LayersModel`s plus its config:
 *   encoder: images [N, S, S, C] in [0, 1] -> [μ [N, L], log σ² [N, L]]
 *   decoder: z [N, L] -> mean image [N, S, S, C] in [0, 1]  (usable alone, e.g. for sampling)
 * Training needs the decoder's pre-sigmoid output (logits), which is read from the same graph by
 * layer name, so the saved decoder stays a plain image generator for any tfjs code.
 */
import type * as tf from '@tensorflow/tfjs';
import { validateConfig, type VaeConfig } from './config';
import { buildConvDecoder, buildConvEncoder } from './conv-vae';
import { DECODER_LOGITS, InitSeeds, Z_LOG_VAR, Z_MEAN } from './layers';
import { buildMlpDecoder, buildMlpEncoder } from './mlp-vae';

export interface Vae {
  readonly config: Required<VaeConfig>;
  readonly encoder: tf.LayersModel;
  readonly decoder: tf.LayersModel;
  /** Name of the decoder's logits tensor, for `decoder.execute`. */
  readonly logitsTensorName: string;
}

export interface CreateVaeOptions {
  /** Seed for the weight initialisers; the same seed and config give identical weights. */
  seed?: number;
}

/** Builds a fresh, randomly initialised VAE. Throws `VaeConfigError` on a bad config. */
export function createVae(config: VaeConfig, options: CreateVaeOptions = {}): Vae {
  const full = validateConfig(config);
  const seeds = new InitSeeds(options.seed);
  const encoder =
    full.architecture === 'conv' ? buildConvEncoder(full, seeds) : buildMlpEncoder(full, seeds);
  const decoder =
    full.architecture === 'conv' ? buildConvDecoder(full, seeds) : buildMlpDecoder(full, seeds);
  return vaeFromModels(full, encoder, decoder);
}

function shapeText(shape: readonly (number | null)[]): string {
  return `[${shape.map((d) => (d === null ? 'N' : String(d))).join(', ')}]`;
}

function sameShape(a: readonly (number | null)[], b: readonly (number | null)[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * Wraps existing encoder/decoder models (e.g. loaded from a checkpoint), checking that their
 * shapes and layer names match `config`. Takes ownership of both models.
 */
export function vaeFromModels(
  config: VaeConfig,
  encoder: tf.LayersModel,
  decoder: tf.LayersModel,
): Vae {
  const full = validateConfig(config);
  const { imageSize: s, channels: c, latentDim: l } = full;
  const problems: string[] = [];
  const image = [null, s, s, c];
  const code = [null, l];
  const encIn = encoder.inputs.map((t) => t.shape);
  const encOut = encoder.outputs.map((t) => t.shape);
  if (encIn.length !== 1 || !sameShape(encIn[0] ?? [], image)) {
    problems.push(`encoder input should be ${shapeText(image)}`);
  }
  if (encOut.length !== 2 || !encOut.every((sh) => sameShape(sh, code))) {
    problems.push(`encoder should output μ and log σ², both ${shapeText(code)}`);
  }
  const encNames = encoder.outputs.map((t) => t.sourceLayer.name);
  if (encNames[0] !== Z_MEAN || encNames[1] !== Z_LOG_VAR) {
    problems.push(`encoder outputs should come from layers '${Z_MEAN}' and '${Z_LOG_VAR}'`);
  }
  const decIn = decoder.inputs.map((t) => t.shape);
  const decOut = decoder.outputs.map((t) => t.shape);
  if (decIn.length !== 1 || !sameShape(decIn[0] ?? [], code))
    problems.push(`decoder input should be ${shapeText(code)}`);
  if (decOut.length !== 1 || !sameShape(decOut[0] ?? [], image)) {
    problems.push(`decoder output should be ${shapeText(image)}`);
  }
  let logitsTensorName = '';
  try {
    const out = decoder.getLayer(DECODER_LOGITS).output;
    if (Array.isArray(out)) throw new Error('several outputs');
    logitsTensorName = out.name;
  } catch {
    problems.push(`decoder has no single-output layer '${DECODER_LOGITS}'`);
  }
  if (problems.length > 0)
    throw new Error(`Models do not match the VAE config: ${problems.join('; ')}.`);
  return { config: full, encoder, decoder, logitsTensorName };
}

/**
 * Runs the encoder on a batch. Records gradients when called under `tf.grad`/`variableGrads`.
 * The returned tensors belong to the caller (or the enclosing `tf.tidy`).
 */
export function encodeTensor(vae: Vae, x: tf.Tensor4D): { mu: tf.Tensor2D; logVar: tf.Tensor2D } {
  const out = vae.encoder.apply(x);
  if (!Array.isArray(out) || out.length !== 2)
    throw new Error('The encoder must return [μ, log σ²].');
  return { mu: out[0] as tf.Tensor2D, logVar: out[1] as tf.Tensor2D };
}

/** Decoder logits (pre-sigmoid) for codes z [N, L]. Caller owns the result. */
export function decodeLogitsTensor(vae: Vae, z: tf.Tensor2D): tf.Tensor4D {
  return vae.decoder.execute(z, vae.logitsTensorName) as tf.Tensor4D;
}

/** Decoder mean images in [0, 1] for codes z [N, L]. Caller owns the result. */
export function decodeTensor(vae: Vae, z: tf.Tensor2D): tf.Tensor4D {
  return vae.decoder.apply(z) as tf.Tensor4D;
}

/**
 * Trainable variables, encoder first then decoder, in layer order. The order is stable across
 * save/load, which the optimizer state relies on (Adam keys its moments by position).
 */
export function trainableVariables(vae: Vae): tf.Variable[] {
  return [...vae.encoder.trainableWeights, ...vae.decoder.trainableWeights].map(
    (w) => w.read() as tf.Variable,
  );
}

/** Number of trainable parameters. */
export function countParameters(vae: Vae): number {
  return vae.encoder.countParams() + vae.decoder.countParams();
}

/** Frees both models' weights. The Vae must not be used afterwards. */
export function disposeVae(vae: Vae): void {
  vae.encoder.dispose();
  vae.decoder.dispose();
}
