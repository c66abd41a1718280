/**
 * The wasm BatchMatMul / _FusedMatMul replacements (explicit transpose, then the original kernel
 * without transposes), checked against the cpu backend, for leaks, for restoration of the
 * original kernels, and in an MLP VAE training run.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  isReplaced,
  registerTrainingKernels,
  restoreOriginalKernels,
} from '../../../app/engine/kernels/register';
import { createVae, disposeVae } from '../../../app/engine/model/vae';
import type { VaeConfig } from '../../../app/engine/model/config';
import { VaeTrainer } from '../../../app/engine/train-step';
import { barImages, mulberry32 } from './fixtures';

const TINY_MLP: VaeConfig = {
  architecture: 'mlp',
  imageSize: 28,
  channels: 1,
  latentDim: 3,
  widths: [37],
  likelihood: 'bernoulli',
};

function randomArray(n: number, seed: number): Float32Array {
  const r = mulberry32(seed);
  return Float32Array.from({ length: n }, () => r() * 2 - 1);
}

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** max |a − b| relative to max(1, max |b|). */
function relDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  let scale = 1;
  for (let i = 0; i < a.length; i++) {
    m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
    scale = Math.max(scale, Math.abs(b[i] as number));
  }
  return m / scale;
}

interface Operands {
  a: { values: Float32Array; shape: number[] };
  b: { values: Float32Array; shape: number[] };
}

/** a [batch, m, k] or [batch, k, m] and b likewise, for out [batch, m, n]; rank 2 when batch 0. */
function operands(
  batch: number,
  [m, k, n]: [number, number, number],
  tA: boolean,
  tB: boolean,
  seed: number,
): Operands {
  const lead = batch === 0 ? [] : [batch];
  const aShape = [...lead, ...(tA ? [k, m] : [m, k])];
  const bShape = [...lead, ...(tB ? [n, k] : [k, n])];
  return {
    a: { values: randomArray(size(aShape), seed), shape: aShape },
    b: { values: randomArray(size(bShape), seed + 1), shape: bShape },
  };
}

async function matMulOn(
  backend: string,
  { a, b }: Operands,
  tA: boolean,
  tB: boolean,
  fused?: { bias: Float32Array; activation: 'relu' | 'linear' },
): Promise<{ values: Float32Array; shape: number[] }> {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const ta = tf.tensor(a.values, a.shape);
    const tb = tf.tensor(b.values, b.shape);
    const out =
      fused === undefined
        ? tf.matMul(ta, tb, tA, tB)
        : tf.fused.matMul({
            a: ta,
            b: tb,
            transposeA: tA,
            transposeB: tB,
            bias: tf.tensor1d(fused.bias),
            activation: fused.activation,
          });
    return { values: out.dataSync() as Float32Array, shape: out.shape };
  });
}

const FLAGS: [boolean, boolean][] = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
];
const DIMS: [number, number, number] = [37, 129, 19]; // m, k, n: odd, not multiples of SIMD widths

let originalBatchMatMul: tf.KernelConfig | undefined;

beforeAll(async () => {
  await tf.setBackend('wasm');
  originalBatchMatMul = tf.getKernel('BatchMatMul', 'wasm');
  expect(originalBatchMatMul?.setupFunc).toBeDefined();
  expect(registerTrainingKernels('wasm')).toEqual(
    expect.arrayContaining(['BatchMatMul', '_FusedMatMul']),
  );
  expect(isReplaced('BatchMatMul', 'wasm')).toBe(true);
  expect(isReplaced('_FusedMatMul', 'wasm')).toBe(true);
  // The replacement calls the original, whose setup (cwrap) must run if the backend initialises
  // later: the replacement's config carries it.
  expect(tf.getKernel('BatchMatMul', 'wasm')?.setupFunc).toBe(originalBatchMatMul?.setupFunc);
});

describe.each([
  { batch: 0, label: 'rank 2' },
  { batch: 1, label: 'batch 1' },
  { batch: 3, label: 'batch 3' },
])('BatchMatMul on wasm, $label', ({ batch }) => {
  it.each(FLAGS)('transposeA %s, transposeB %s matches cpu', async (tA, tB) => {
    const ops = operands(batch, DIMS, tA, tB, 10 + batch);
    const want = await matMulOn('cpu', ops, tA, tB);
    const got = await matMulOn('wasm', ops, tA, tB);
    expect(got.shape).toEqual(want.shape);
    expect(relDiff(got.values, want.values)).toBeLessThan(1e-4);
  });
});

describe('_FusedMatMul on wasm', () => {
  it.each(FLAGS)('transposeA %s, transposeB %s with bias and relu matches cpu', async (tA, tB) => {
    const ops = operands(1, DIMS, tA, tB, 20);
    const fused = { bias: randomArray(DIMS[2], 22), activation: 'relu' as const };
    const want = await matMulOn('cpu', ops, tA, tB, fused);
    const got = await matMulOn('wasm', ops, tA, tB, fused);
    expect(got.shape).toEqual(want.shape);
    expect(relDiff(got.values, want.values)).toBeLessThan(1e-4);
  });

  it('matches cpu for a dense layer’s shapes (rank 2, 1-wide output)', async () => {
    const ops = operands(0, [5, 33, 1], true, true, 30);
    const fused = { bias: randomArray(1, 31), activation: 'linear' as const };
    const want = await matMulOn('cpu', ops, true, true, fused);
    const got = await matMulOn('wasm', ops, true, true, fused);
    expect(relDiff(got.values, want.values)).toBeLessThan(1e-4);
  });
});

describe('on wasm', () => {
  it('frees every intermediate (tensors, data ids, bytes, WASM heap)', async () => {
    await tf.setBackend('wasm');
    const a = tf.tensor(randomArray(64 * 48, 40), [64, 48]);
    const b = tf.tensor(randomArray(64 * 40, 41), [64, 40]);
    const w = tf.tensor(randomArray(40 * 48, 42), [40, 48]);
    const c = tf.tensor(randomArray(40 * 64, 44), [40, 64]);
    const bias = tf.tensor1d(randomArray(40, 43));
    const run = () => {
      const outs = [
        tf.matMul(a, b, true, false), // [48, 40]
        tf.matMul(a, w, false, true), // [64, 40]
        tf.matMul(a, c, true, true), // [48, 40]
        tf.fused.matMul({ a, b: w, transposeB: true, bias, activation: 'relu' }),
      ];
      tf.dispose(outs);
    };
    run();
    run();
    const backend = tf.engine().backend;
    const heap = () =>
      (backend as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.byteLength;
    const before = {
      tensors: tf.memory().numTensors,
      bytes: tf.memory().numBytes,
      dataIds: backend.numDataIds(),
      heap: heap(),
    };
    for (let i = 0; i < 20; i++) run();
    expect({
      tensors: tf.memory().numTensors,
      bytes: tf.memory().numBytes,
      dataIds: backend.numDataIds(),
      heap: heap(),
    }).toEqual(before);
    tf.dispose([a, b, c, w, bias]);
  });

  it('restoreOriginalKernels puts the original kernels back, and registering again works', () => {
    restoreOriginalKernels('wasm');
    expect(isReplaced('BatchMatMul', 'wasm')).toBe(false);
    expect(isReplaced('_FusedMatMul', 'wasm')).toBe(false);
    expect(tf.getKernel('BatchMatMul', 'wasm')?.kernelFunc).toBe(originalBatchMatMul?.kernelFunc);
    registerTrainingKernels('wasm');
    expect(isReplaced('BatchMatMul', 'wasm')).toBe(true);
    expect(isReplaced('_FusedMatMul', 'wasm')).toBe(true);
  });

  it('trains an MLP VAE along the same loss trajectory as cpu', async () => {
    const data = barImages(16, TINY_MLP.imageSize, 1, 7);
    const lossesOn = async (backend: string) => {
      await tf.setBackend(backend);
      const vae = createVae(TINY_MLP, { seed: 5 });
      const trainer = new VaeTrainer(vae, { learningRate: 3e-3, seed: 9 });
      const losses = Array.from({ length: 10 }, () => trainer.trainStep(data).loss);
      trainer.dispose();
      disposeVae(vae);
      return losses;
    };
    const cpu = await lossesOn('cpu');
    const wasm = await lossesOn('wasm');
    expect(wasm.every(Number.isFinite)).toBe(true);
    expect(wasm.at(-1)).toBeLessThan(wasm[0] as number);
    wasm.forEach((l, i) => {
      const ref = cpu[i] as number;
      expect(Math.abs(l - ref) / Math.abs(ref)).toBeLessThan(1e-4);
    });
  });
});
