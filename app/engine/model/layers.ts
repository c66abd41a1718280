/**
 * Names and small helpers shared by the model factories. The layer names are part of the saved
 * format: `vae.ts` finds the decoder's logits and the encoder's heads by these names after a
 * checkpoint is loaded, so changing one breaks old checkpoints.
 */
import * as tf from '@tensorflow/tfjs';

export const ENCODER_NAME = 'vae_encoder';
export const DECODER_NAME = 'vae_decoder';
export const ENCODER_INPUT = 'encoder_input';
export const DECODER_INPUT = 'decoder_input';
/** Dense head producing the posterior mean μ. */
export const Z_MEAN = 'z_mean';
/** Dense head producing the posterior log-variance log σ². */
export const Z_LOG_VAR = 'z_log_var';
/** Pre-activation decoder output: Bernoulli logits / Gaussian mean before the sigmoid. */
export const DECODER_LOGITS = 'decoder_logits';
/** Final sigmoid: the decoder's output, the mean image in [0, 1]. */
export const DECODER_MEAN = 'decoder_mean';

/**
 * Seeds each initializer differently but reproducibly: `seed` undefined gives tfjs's random init,
 * otherwise layer k gets `seed + k`, so two models built with the same seed are identical.
 */
export class InitSeeds {
  private next: number;
  constructor(private readonly seed: number | undefined) {
    this.next = seed ?? 0;
  }
  kernel(): ReturnType<typeof tf.initializers.glorotUniform> {
    return this.seed === undefined
      ? tf.initializers.glorotUniform({})
      : tf.initializers.glorotUniform({ seed: this.next++ });
  }
}

/** The symbolic output of a layer application, which the functional API types as a union. */
export function sym(
  x: tf.Tensor | tf.Tensor[] | tf.SymbolicTensor | tf.SymbolicTensor[],
): tf.SymbolicTensor {
  if (Array.isArray(x) || !(x instanceof tf.SymbolicTensor)) {
    throw new Error('Expected a single symbolic tensor while building the model graph.');
  }
  return x;
}
