/**
 * The replacement convolution-gradient kernels, checked numerically against the cpu backend's own
 * kernels, plus a conv VAE training step on wasm (which cannot train convs without them).
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  isReplaced,
  registerTrainingKernels,
  restoreOriginalKernels,
} from '../../../app/engine/kernels/register';
import { createVae, disposeVae } from '../../../app/engine/model/vae';
import { lossAndGradients } from '../../../app/engine/forward';
import { VaeTrainer } from '../../../app/engine/train-step';
import { barImages, mulberry32, TINY_CONV } from './fixtures';

type Pad =
  | 'same'
  | 'valid'
  | number
  | [[number, number], [number, number], [number, number], [number, number]];
interface Case {
  name: string;
  x: [number, number, number, number];
  f: [number, number, number, number];
  strides: number | [number, number];
  pad: Pad;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

const CASES: Case[] = [
  { name: '3x3 stride 1 same', x: [2, 8, 8, 3], f: [3, 3, 3, 4], strides: 1, pad: 'same' },
  {
    name: '4x4 stride 2 same (VAE encoder, 28 -> 14)',
    x: [2, 28, 28, 1],
    f: [4, 4, 1, 4],
    strides: 2,
    pad: 'same',
  },
  {
    name: '4x4 stride 2 same, odd 7 -> 4',
    x: [3, 7, 7, 8],
    f: [4, 4, 8, 5],
    strides: 2,
    pad: 'same',
  },
  { name: '3x3 stride 2 valid, 9x9', x: [2, 9, 9, 2], f: [3, 3, 2, 3], strides: 2, pad: 'valid' },
  {
    name: '3x3 stride 2 valid, 10x10 (last row unused)',
    x: [1, 10, 10, 2],
    f: [3, 3, 2, 2],
    strides: 2,
    pad: 'valid',
  },
  {
    name: '2x3 filter, strides [1, 2], same',
    x: [2, 6, 9, 3],
    f: [2, 3, 3, 2],
    strides: [1, 2],
    pad: 'same',
  },
  { name: '5x5 stride 3 same', x: [1, 11, 11, 2], f: [5, 5, 2, 3], strides: 3, pad: 'same' },
  {
    name: '3x3 strides [2, 3] same',
    x: [2, 10, 11, 3],
    f: [3, 3, 3, 2],
    strides: [2, 3],
    pad: 'same',
  },
  {
    name: '5x5 stride 2, explicit pads larger than the stride',
    x: [1, 9, 8, 2],
    f: [5, 5, 2, 3],
    strides: 2,
    pad: [
      [0, 0],
      [3, 0],
      [4, 1],
      [0, 0],
    ],
  },
  { name: '1x1 stride 2 valid', x: [2, 6, 6, 4], f: [1, 1, 4, 3], strides: 2, pad: 'valid' },
  {
    name: 'explicit pads [[1, 2], [0, 3]], stride 2',
    x: [2, 8, 7, 3],
    f: [3, 3, 3, 2],
    strides: 2,
    pad: [
      [0, 0],
      [1, 2],
      [0, 3],
      [0, 0],
    ],
  },
  {
    name: 'numeric pad 1 with floor rounding, stride 2',
    x: [1, 8, 8, 2],
    f: [3, 3, 2, 2],
    strides: 2,
    pad: 1,
    dimRoundingMode: 'floor',
  },
];

function randomArray(n: number, seed: number): Float32Array {
  const r = mulberry32(seed);
  return Float32Array.from({ length: n }, () => r() * 2 - 1);
}

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** Runs a kernel on `backend` through the engine, returning plain values. */
async function runOn(
  backend: string,
  kernelName: string,
  inputs: Record<string, { values: Float32Array; shape: number[] }>,
  attrs: Record<string, unknown>,
): Promise<Float32Array> {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const tensors = Object.fromEntries(
      Object.entries(inputs).map(([k, v]) => [k, tf.tensor(v.values, v.shape)]),
    );
    const out = tf.engine().runKernel(kernelName, tensors, attrs as tf.NamedAttrMap) as tf.Tensor;
    return out.dataSync() as Float32Array;
  });
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}

const report: string[] = [];

beforeAll(async () => {
  await tf.setBackend('wasm');
  expect(registerTrainingKernels('wasm')).toEqual(
    expect.arrayContaining(['Conv2DBackpropFilter', 'Conv2DBackpropInput']),
  );
});

afterAll(() => {
  console.log(`kernel max |diff| vs cpu:\n${report.join('\n')}`);
});

describe.each(CASES)('$name', (c) => {
  const info = tf.backend_util.computeConv2DInfo(c.x, c.f, c.strides, 1, c.pad, c.dimRoundingMode);
  const x = { values: randomArray(size(c.x), 1), shape: c.x };
  const filter = { values: randomArray(size(c.f), 2), shape: c.f };
  const dy = { values: randomArray(size(info.outShape), 3), shape: info.outShape };
  const common = {
    strides: c.strides,
    pad: c.pad,
    dataFormat: 'NHWC',
    dimRoundingMode: c.dimRoundingMode,
  };

  it('Conv2DBackpropFilter on wasm matches cpu', async () => {
    const attrs = { ...common, filterShape: c.f };
    const want = await runOn('cpu', 'Conv2DBackpropFilter', { x, dy }, attrs);
    const got = await runOn('wasm', 'Conv2DBackpropFilter', { x, dy }, attrs);
    const d = maxAbsDiff(got, want);
    report.push(`  filter ${c.name}: ${d.toExponential(2)}`);
    expect(d).toBeLessThan(1e-4);
  });

  it('Conv2DBackpropInput on wasm matches cpu', async () => {
    const attrs = { ...common, inputShape: c.x };
    const want = await runOn('cpu', 'Conv2DBackpropInput', { dy, filter }, attrs);
    const got = await runOn('wasm', 'Conv2DBackpropInput', { dy, filter }, attrs);
    const d = maxAbsDiff(got, want);
    report.push(`  input  ${c.name}: ${d.toExponential(2)}`);
    expect(d).toBeLessThan(1e-4);
  });
});

describe('cpu replacement', () => {
  it('matches the cpu backend’s own Conv2DBackpropFilter', async () => {
    const c = CASES[2] as Case;
    const info = tf.backend_util.computeConv2DInfo(c.x, c.f, c.strides, 1, c.pad);
    const inputs = {
      x: { values: randomArray(size(c.x), 4), shape: c.x },
      dy: { values: randomArray(size(info.outShape), 5), shape: info.outShape },
    };
    const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', filterShape: c.f };
    const want = await runOn('cpu', 'Conv2DBackpropFilter', inputs, attrs);
    registerTrainingKernels('cpu');
    expect(isReplaced('Conv2DBackpropFilter', 'cpu')).toBe(true);
    const got = await runOn('cpu', 'Conv2DBackpropFilter', inputs, attrs);
    restoreOriginalKernels('cpu');
    expect(isReplaced('Conv2DBackpropFilter', 'cpu')).toBe(false);
    expect(maxAbsDiff(got, want)).toBeLessThan(1e-4);
  });
});

describe('on wasm', () => {
  it('frees every intermediate', async () => {
    await tf.setBackend('wasm');
    const c = CASES[8] as Case;
    const info = tf.backend_util.computeConv2DInfo(c.x, c.f, c.strides, 1, c.pad);
    const x = tf.tensor(randomArray(size(c.x), 6), c.x);
    const f = tf.tensor(randomArray(size(c.f), 7), c.f);
    const dy = tf.tensor(randomArray(size(info.outShape), 8), info.outShape);
    const attrs = {
      strides: c.strides,
      pad: c.pad,
      dataFormat: 'NHWC',
    } as unknown as tf.NamedAttrMap;
    const run = () => {
      const a = tf
        .engine()
        .runKernel('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape: c.f }) as tf.Tensor;
      const b = tf
        .engine()
        .runKernel(
          'Conv2DBackpropInput',
          { dy, filter: f },
          { ...attrs, inputShape: c.x },
        ) as tf.Tensor;
      tf.dispose([a, b]);
    };
    run();
    const dataIds = tf.engine().backend.numDataIds();
    const tensors = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) run();
    expect(tf.engine().backend.numDataIds()).toBe(dataIds);
    expect(tf.memory().numTensors).toBe(tensors);
    tf.dispose([x, f, dy]);
  });

  it('computes the same VAE gradients as cpu', async () => {
    const data = barImages(4, 28, 1, 5);
    const gradsOn = async (backend: string) => {
      await tf.setBackend(backend);
      const vae = createVae(TINY_CONV, { seed: 21 });
      const out = tf.tidy(() => {
        const x = tf.tensor4d(data, [4, 28, 28, 1]);
        const { terms, grads } = lossAndGradients(vae, x, { seed: 3, beta: 1 });
        const values = Object.values(grads).map((g) => g.dataSync() as Float32Array);
        const loss = terms.total.dataSync()[0] as number;
        tf.dispose([terms.reconstruction, terms.kl, terms.klPerDim, terms.negElbo]);
        return { values, loss };
      });
      disposeVae(vae);
      return out;
    };
    const cpu = await gradsOn('cpu');
    const wasm = await gradsOn('wasm');
    expect(wasm.loss).toBeCloseTo(cpu.loss, 2);
    expect(wasm.values.length).toBe(cpu.values.length);
    wasm.values.forEach((g, i) => {
      const ref = cpu.values[i] as Float32Array;
      const scale = Math.max(1, ...Array.from(ref, Math.abs));
      expect(maxAbsDiff(g, ref) / scale).toBeLessThan(1e-3);
    });
  });

  it('trains a conv VAE', async () => {
    await tf.setBackend('wasm');
    const vae = createVae(TINY_CONV, { seed: 4 });
    const trainer = new VaeTrainer(vae, { learningRate: 3e-3 });
    const data = barImages(16, 28, 1, 6);
    const losses = Array.from({ length: 15 }, () => trainer.trainStep(data).loss);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses.at(-1)).toBeLessThan(losses[0] as number);
    trainer.dispose();
    disposeVae(vae);
  });
});
