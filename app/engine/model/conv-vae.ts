/**
 * Convolutional VAE: strided-conv encoder to μ and log σ², and a mirrored decoder
 * dense -> reshape -> stride-2 transposed convs -> 3x3 conv to logits -> sigmoid.
 *
 * Kernels are 4x4 with stride 2 (the DCGAN convention): a kernel size divisible by the stride
 * gives every output pixel of a transposed conv the same number of contributions, which avoids
 * checkerboard artefacts. 'same' padding halves the size rounding up (28 -> 14 -> 7, 25 -> 13 -> 7);
 * the decoder doubles and crops the extra row/column where the encoder rounded up, so any size in
 * range (odd ones included) round-trips exactly.
 */
import * as tf from '@tensorflow/tfjs';
import { convSpatialSizes, type VaeConfig } from './config';
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

const KERNEL = 4;
const STRIDE = 2;

export function buildConvEncoder(config: Required<VaeConfig>, seeds: InitSeeds): tf.LayersModel {
  const { imageSize, channels, widths, latentDim } = config;
  const input = tf.input({ shape: [imageSize, imageSize, channels], name: ENCODER_INPUT });
  let h = input;
  widths.forEach((filters, i) => {
    h = sym(
      tf.layers
        .conv2d({
          filters,
          kernelSize: KERNEL,
          strides: STRIDE,
          padding: 'same',
          activation: 'relu',
          kernelInitializer: seeds.kernel(),
          name: `enc_conv_${i}`,
        })
        .apply(h),
    );
  });
  const flat = sym(tf.layers.flatten({ name: 'enc_flatten' }).apply(h));
  const mu = sym(
    tf.layers
      .dense({ units: latentDim, kernelInitializer: seeds.kernel(), name: Z_MEAN })
      .apply(flat),
  );
  const logVar = sym(
    tf.layers
      .dense({ units: latentDim, kernelInitializer: seeds.kernel(), name: Z_LOG_VAR })
      .apply(flat),
  );
  return tf.model({ inputs: input, outputs: [mu, logVar], name: ENCODER_NAME });
}

export function buildConvDecoder(config: Required<VaeConfig>, seeds: InitSeeds): tf.LayersModel {
  const { imageSize, channels, widths, latentDim } = config;
  const levels = widths.length;
  const sizes = convSpatialSizes(imageSize, levels);
  const smallest = sizes[levels] as number;
  const deepest = widths[levels - 1] as number;

  const input = tf.input({ shape: [latentDim], name: DECODER_INPUT });
  let h = sym(
    tf.layers
      .dense({
        units: smallest * smallest * deepest,
        activation: 'relu',
        kernelInitializer: seeds.kernel(),
        name: 'dec_dense',
      })
      .apply(input),
  );
  h = sym(
    tf.layers.reshape({ targetShape: [smallest, smallest, deepest], name: 'dec_reshape' }).apply(h),
  );
  for (let i = levels - 1; i >= 0; i--) {
    // Level i maps sizes[i+1] back to sizes[i]; its filters mirror the encoder level below it.
    const filters = widths[Math.max(i - 1, 0)] as number;
    h = sym(
      tf.layers
        .conv2dTranspose({
          filters,
          kernelSize: KERNEL,
          strides: STRIDE,
          padding: 'same',
          activation: 'relu',
          kernelInitializer: seeds.kernel(),
          name: `dec_deconv_${i}`,
        })
        .apply(h),
    );
    const extra = 2 * (sizes[i + 1] as number) - (sizes[i] as number);
    if (extra > 0) {
      h = sym(
        tf.layers
          .cropping2D({
            cropping: [
              [0, extra],
              [0, extra],
            ],
            name: `dec_crop_${i}`,
          })
          .apply(h),
      );
    }
  }
  const logits = sym(
    tf.layers
      .conv2d({
        filters: channels,
        kernelSize: 3,
        strides: 1,
        padding: 'same',
        kernelInitializer: seeds.kernel(),
        name: DECODER_LOGITS,
      })
      .apply(h),
  );
  const mean = sym(
    tf.layers.activation({ activation: 'sigmoid', name: DECODER_MEAN }).apply(logits),
  );
  return tf.model({ inputs: input, outputs: mean, name: DECODER_NAME });
}
