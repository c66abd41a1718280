import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  defaultConfigFor,
  validateConfig,
  VaeConfigError,
  type VaeConfig,
} from '../../../app/engine/model/config';
import {
  countParameters,
  createVae,
  decodeLogitsTensor,
  decodeTensor,
  disposeVae,
  encodeTensor,
  trainableVariables,
  vaeFromModels,
} from '../../../app/engine/model/vae';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const tiny: VaeConfig = {
  architecture: 'conv',
  imageSize: 28,
  channels: 1,
  latentDim: 3,
  widths: [4, 8],
  likelihood: 'bernoulli',
};

function shapesOf(vae: ReturnType<typeof createVae>, n: number) {
  return tf.tidy(() => {
    const s = vae.config.imageSize;
    const x = tf.randomUniform([n, s, s, vae.config.channels]) as tf.Tensor4D;
    const { mu, logVar } = encodeTensor(vae, x);
    const mean = decodeTensor(vae, mu);
    const logits = decodeLogitsTensor(vae, mu);
    const meanValues = mean.dataSync();
    return {
      mu: mu.shape,
      logVar: logVar.shape,
      mean: mean.shape,
      logits: logits.shape,
      inUnit: meanValues.every((v) => v >= 0 && v <= 1),
      sigmoidOfLogits: tf.sigmoid(logits).sub(mean).abs().max().dataSync()[0] as number,
    };
  });
}

describe('validateConfig', () => {
  it('fills in the default Gaussian sigma', () => {
    expect(validateConfig(tiny).gaussianSigma).toBe(0.1);
  });

  it('reports every bad field at once', () => {
    const bad = {
      ...tiny,
      imageSize: 20,
      channels: 2,
      latentDim: 0,
      widths: [],
      likelihood: 'poisson',
    };
    try {
      validateConfig(bad as unknown as VaeConfig);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(VaeConfigError);
      const problems = (e as VaeConfigError).problems.join(' ');
      for (const field of ['imageSize', 'channels', 'latentDim', 'widths', 'likelihood']) {
        expect(problems).toContain(field);
      }
    }
  });

  it('rejects too many conv levels for the image size and a non-positive sigma', () => {
    expect(() => validateConfig({ ...tiny, widths: [4, 4, 4, 4, 4] })).toThrow(
      /shrink 28x28 to 1x1/,
    );
    expect(() => validateConfig({ ...tiny, gaussianSigma: 0 })).toThrow(/gaussianSigma/);
    expect(() => validateConfig({ ...tiny, widths: [4, 1.5] })).toThrow(/integer/);
  });
});

describe('defaultConfigFor', () => {
  it('downsamples to at most 8x8 with doubling widths', () => {
    expect(defaultConfigFor(28, 1)).toMatchObject({
      widths: [32, 64],
      latentDim: 16,
      likelihood: 'bernoulli',
    });
    expect(defaultConfigFor(64, 3)).toMatchObject({
      widths: [32, 64, 128],
      latentDim: 32,
      likelihood: 'gaussian',
    });
    expect(defaultConfigFor(128, 3)).toMatchObject({ widths: [32, 64, 128, 256], latentDim: 64 });
  });

  it('produces valid configs for every size in range', () => {
    for (let s = 28; s <= 128; s++)
      expect(() => validateConfig(defaultConfigFor(s, 3))).not.toThrow();
  });
});

describe('createVae', () => {
  it('builds a 28x28 conv VAE (28 -> 14 -> 7 and back)', () => {
    const vae = createVae(tiny, { seed: 1 });
    const s = shapesOf(vae, 2);
    expect(s).toMatchObject({
      mu: [2, 3],
      logVar: [2, 3],
      mean: [2, 28, 28, 1],
      logits: [2, 28, 28, 1],
    });
    expect(s.inUnit).toBe(true);
    expect(s.sigmoidOfLogits).toBeLessThan(1e-6);
    expect(vae.encoder.getLayer('enc_conv_1').outputShape).toEqual([null, 7, 7, 8]);
    disposeVae(vae);
  });

  it('handles odd sizes by cropping in the decoder', () => {
    const vae = createVae({ ...tiny, imageSize: 29, widths: [2, 2, 2] }, { seed: 2 });
    expect(shapesOf(vae, 1).mean).toEqual([1, 29, 29, 1]);
    disposeVae(vae);
  });

  it('builds a 64x64x3 Gaussian conv VAE', () => {
    const vae = createVae({
      ...tiny,
      imageSize: 64,
      channels: 3,
      widths: [4, 4, 4],
      likelihood: 'gaussian',
    });
    expect(shapesOf(vae, 1).mean).toEqual([1, 64, 64, 3]);
    disposeVae(vae);
  });

  it('builds the 784-512-L MLP VAE', () => {
    const vae = createVae({ ...tiny, architecture: 'mlp', widths: [512], latentDim: 2 });
    expect(shapesOf(vae, 2)).toMatchObject({ mu: [2, 2], mean: [2, 28, 28, 1] });
    // 784*512+512 + 2*(512*2+2) encoder; 2*512+512 + 512*784+784 decoder.
    expect(countParameters(vae)).toBe(
      784 * 512 + 512 + 2 * (512 * 2 + 2) + (2 * 512 + 512) + (512 * 784 + 784),
    );
    disposeVae(vae);
  });

  it('is reproducible with a seed and the decoder works alone', () => {
    const a = createVae(tiny, { seed: 7 });
    const b = createVae(tiny, { seed: 7 });
    const z = tf.tensor2d([[0.5, -1, 2]]);
    const ya = a.decoder.predict(z) as tf.Tensor;
    const yb = b.decoder.predict(z) as tf.Tensor;
    expect(tf.max(tf.abs(tf.sub(ya, yb))).dataSync()[0]).toBe(0);
    tf.dispose([z, ya, yb]);
    disposeVae(a);
    disposeVae(b);
  });

  it('orders trainable variables encoder first and frees everything on dispose', () => {
    const before = tf.memory().numTensors;
    const vae = createVae(tiny);
    const vars = trainableVariables(vae);
    expect(vars.length).toBe(
      vae.encoder.trainableWeights.length + vae.decoder.trainableWeights.length,
    );
    expect(vars[0]?.shape).toEqual([4, 4, 1, 4]);
    disposeVae(vae);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('vaeFromModels rejects models that do not match the config', () => {
    const vae = createVae(tiny);
    expect(() => vaeFromModels({ ...tiny, latentDim: 4 }, vae.encoder, vae.decoder)).toThrow(
      /latent|\[N, 4\]/,
    );
    disposeVae(vae);
  });
});

describe('inference on plain arrays', () => {
  it('encodes, decodes and reconstructs in batches without leaking', async () => {
    const { encodeImages, decodeLatents, reconstructImages } =
      await import('../../../app/engine/inference');
    const vae = createVae(tiny, { seed: 5 });
    const images = new Float32Array(5 * 784).map((_, i) => (i % 7) / 7);
    const before = tf.memory().numTensors;
    const post = await encodeImages(vae, images, { batchSize: 2 });
    expect(post).toMatchObject({ count: 5, latentDim: 3 });
    expect(post.mu.length).toBe(15);
    // Batching gives the same codes as one pass.
    const whole = await encodeImages(vae, images, { batchSize: 5 });
    expect(Array.from(post.mu)).toEqual(Array.from(whole.mu).map((v) => expect.closeTo(v, 5)));
    const decoded = await decodeLatents(vae, post.mu, { batchSize: 4 });
    expect(decoded.length).toBe(5 * 784);
    const recon = await reconstructImages(vae, images);
    expect(Array.from(recon.subarray(0, 50))).toEqual(
      Array.from(decoded.subarray(0, 50)).map((v) => expect.closeTo(v, 5)),
    );
    expect(tf.memory().numTensors).toBe(before);
    await expect(decodeLatents(vae, new Float32Array(4))).rejects.toThrow(
      /whole number of 3-value codes/,
    );
    disposeVae(vae);
  });
});
