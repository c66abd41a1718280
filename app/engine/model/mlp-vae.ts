/**
 * Fully connected VAE on the flattened image, the classic Kingma & Welling setup:
 * 784-512-L for the encoder and L-512-784 for the decoder with `widths: [512]` on 28x28x1.
 * Hidden layers use ReLU; the decoder ends in a linear layer (logits) and a sigmoid (mean image).
 */
import * as tf from '@tensorflow/tfjs';
import type { VaeConfig } from './config';
import {
  DECODER_INPUT,
  DECODER_LOGITS,
  DECODER_MEAN,
  DECODER_NAME,
  ENCODER_INPUT,
  ENCODER_NAME,
  type InitSeeds,
  sym,
  Z_LOG_VAR,
  Z_MEAN,
} from './layers';

export function buildMlpEncoder(config: Required<VaeConfig>, seeds: InitSeeds): tf.LayersModel {
  const { imageSize, channels, widths, latentDim } = config;
  const input = tf.input({ shape: [imageSize, imageSize, channels], name: ENCODER_INPUT });
  let h = sym(tf.layers.flatten({ name: 'enc_flatten' }).apply(input));
  widths.forEach((units, i) => {
    h = sym(
      tf.layers
        .dense({
          units,
          activation: 'relu',
          kernelInitializer: seeds.kernel(),
          name: `enc_dense_${i}`,
        })
        .apply(h),
    );
  });
  const mu = sym(
    tf.layers.dense({ units: latentDim, kernelInitializer: seeds.kernel(), name: Z_MEAN }).apply(h),
  );
  const logVar = sym(
    tf.layers
      .dense({ units: latentDim, kernelInitializer: seeds.kernel(), name: Z_LOG_VAR })
      .apply(h),
  );
  return tf.model({ inputs: input, outputs: [mu, logVar], name: ENCODER_NAME });
}

export function buildMlpDecoder(config: Required<VaeConfig>, seeds: InitSeeds): tf.LayersModel {
  const { imageSize, channels, widths, latentDim } = config;
  const input = tf.input({ shape: [latentDim], name: DECODER_INPUT });
  let h = input;
  [...widths].reverse().forEach((units, i) => {
    h = sym(
      tf.layers
        .dense({
          units,
          activation: 'relu',
          kernelInitializer: seeds.kernel(),
          name: `dec_dense_${i}`,
        })
        .apply(h),
    );
  });
  const flat = sym(
    tf.layers
      .dense({
        units: imageSize * imageSize * channels,
        kernelInitializer: seeds.kernel(),
        name: 'dec_out',
      })
      .apply(h),
  );
  const logits = sym(
    tf.layers
      .reshape({ targetShape: [imageSize, imageSize, channels], name: DECODER_LOGITS })
      .apply(flat),
  );
  const mean = sym(
    tf.layers.activation({ activation: 'sigmoid', name: DECODER_MEAN }).apply(logits),
  );
  return tf.model({ inputs: input, outputs: mean, name: DECODER_NAME });
}
