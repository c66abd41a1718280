import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { annealedBeta, gaussianKl, reconstructionNll, vaeLoss } from '../../../app/engine/loss';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const num = (t: tf.Tensor): number => t.dataSync()[0] as number;

// KL(N(μ, e^lv) || N(0,1)) = 0.5 (μ² + e^lv − lv − 1), worked by hand for these four entries:
//   (μ=1,   lv=0)     -> 0.5 (1 + 1 − 0 − 1)            = 0.5
//   (μ=0,   lv=ln 2)  -> 0.5 (0 + 2 − 0.693147 − 1)     = 0.1534264
//   (μ=0.5, lv=−1)    -> 0.5 (0.25 + 0.367879 + 1 − 1)  = 0.3089397
//   (μ=−2,  lv=0.5)   -> 0.5 (4 + 1.648721 − 0.5 − 1)   = 2.0743606
const MU = [
  [1, 0],
  [0.5, -2],
];
const LOGVAR = [
  [0, Math.LN2],
  [-1, 0.5],
];
const KL_PER_DIM = [(0.5 + 0.3089397) / 2, (0.1534264 + 2.0743606) / 2];

describe('gaussianKl', () => {
  it('matches the hand-computed closed form', () => {
    const kl = gaussianKl(tf.tensor2d(MU), tf.tensor2d(LOGVAR));
    expect(Array.from(kl.dataSync())).toEqual(
      [0.5, 0.1534264, 0.3089397, 2.0743606].map((v) => expect.closeTo(v, 5)),
    );
  });

  it('is zero for the prior itself', () => {
    expect(num(tf.sum(gaussianKl(tf.zeros([3, 4]), tf.zeros([3, 4]))))).toBe(0);
  });
});

describe('reconstructionNll', () => {
  it('Bernoulli matches the hand-computed cross-entropy', () => {
    // −[x log p + (1−x) log(1−p)], p = sigmoid(l):
    //   x=0,   l=0   -> log 2                              = 0.6931472
    //   x=1,   l=2   -> log(1 + e^−2)                      = 0.1269280
    //   x=0.5, l=−1  -> 0.5 log(1+e) + 0.5 log(1+e^−1)     = 0.8132617
    //   x=1,   l=−30 -> log(1 + e^30)                      = 30.0000000
    const x = tf.tensor4d([0, 1, 0.5, 1], [1, 2, 2, 1]);
    const logits = tf.tensor4d([0, 2, -1, -30], [1, 2, 2, 1]);
    const nll = reconstructionNll(x, logits, { likelihood: 'bernoulli' });
    expect(nll.shape).toEqual([1]);
    expect(num(nll)).toBeCloseTo(0.6931472 + 0.126928 + 0.8132617 + 30, 4);
  });

  it('Bernoulli stays finite for saturated logits', () => {
    const x = tf.tensor4d([0, 1, 0, 1], [2, 1, 2, 1]);
    const logits = tf.tensor4d([200, -200, -200, 200], [2, 1, 2, 1]);
    const nll = Array.from(reconstructionNll(x, logits, { likelihood: 'bernoulli' }).dataSync());
    expect(nll[0]).toBeCloseTo(400, 3);
    expect(nll[1]).toBeCloseTo(0, 5);
  });

  it('Gaussian is 0.5((x−μ)/σ)² + log σ + 0.5 log 2π per pixel with μ = sigmoid(logits)', () => {
    const sigma = 0.2;
    const x = tf.tensor4d([0.5, 0.9], [1, 1, 1, 2]);
    const logits = tf.tensor4d([0, 0], [1, 1, 1, 2]); // μ = 0.5
    const expected =
      0 + 0.5 * (0.4 / sigma) ** 2 + 2 * (Math.log(sigma) + 0.5 * Math.log(2 * Math.PI));
    expect(
      num(reconstructionNll(x, logits, { likelihood: 'gaussian', gaussianSigma: sigma })),
    ).toBeCloseTo(expected, 4);
  });
});

describe('vaeLoss', () => {
  const inputs = () => ({
    x: tf.tensor4d([0, 1, 0, 1], [2, 1, 2, 1]),
    logits: tf.tensor4d([0, 0, 0, 0], [2, 1, 2, 1]), // 2 · log 2 per image
    mu: tf.tensor2d(MU),
    logVar: tf.tensor2d(LOGVAR),
  });

  it('returns batch-averaged terms in nats per image', () => {
    const l = vaeLoss(inputs(), { likelihood: 'bernoulli', beta: 2 });
    const kl = KL_PER_DIM[0]! + KL_PER_DIM[1]!;
    expect(num(l.reconstruction)).toBeCloseTo(2 * Math.LN2, 5);
    expect(Array.from(l.klPerDim.dataSync())).toEqual(KL_PER_DIM.map((v) => expect.closeTo(v, 5)));
    expect(num(l.kl)).toBeCloseTo(kl, 5);
    expect(num(l.total)).toBeCloseTo(2 * Math.LN2 + 2 * kl, 5);
    expect(num(l.negElbo)).toBeCloseTo(2 * Math.LN2 + kl, 5);
  });

  it('floors each dimension at freeBits in the objective only', () => {
    const l = vaeLoss(inputs(), { likelihood: 'bernoulli', freeBits: 1 });
    // dim 0 (0.404 nats) is raised to 1, dim 1 (1.114 nats) is above the floor.
    expect(num(l.total)).toBeCloseTo(2 * Math.LN2 + 1 + KL_PER_DIM[1]!, 5);
    expect(num(l.kl)).toBeCloseTo(KL_PER_DIM[0]! + KL_PER_DIM[1]!, 5);
  });

  it('gives no KL gradient to a dimension below the free-bits floor', () => {
    const { x, logits, logVar } = inputs();
    const g = tf.grad(
      (mu: tf.Tensor) =>
        vaeLoss(
          { x, logits, mu: mu as tf.Tensor2D, logVar },
          {
            likelihood: 'bernoulli',
            freeBits: 1,
          },
        ).total,
    )(tf.tensor2d(MU));
    const gv = Array.from(g.dataSync());
    expect(gv[0]).toBe(0); // dim 0, below the floor
    expect(gv[1]).toBeCloseTo(MU[0]![1]! / 2, 5); // dim 1: ∂/∂μ of mean KL = μ / N
    expect(gv[3]).toBeCloseTo(MU[1]![1]! / 2, 5);
  });

  it('rejects a negative beta', () => {
    expect(() => vaeLoss(inputs(), { likelihood: 'bernoulli', beta: -1 })).toThrow(/beta/);
  });
});

describe('annealedBeta', () => {
  it('rises linearly from 0 to beta over the warm-up', () => {
    const s = { beta: 2, warmupSteps: 100 };
    expect([0, 25, 100, 1000].map((step) => annealedBeta(s, step))).toEqual([0, 0.5, 2, 2]);
    expect(annealedBeta({ beta: 0.5 }, 0)).toBe(0.5);
  });
});
