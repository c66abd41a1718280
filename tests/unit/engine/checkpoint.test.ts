import { cp, mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  loadCheckpoint,
  readCheckpointConfig,
  resolveCheckpoint,
  restoreTrainer,
  saveCheckpoint,
} from '../../../app/engine/checkpoint';
import { fileSystemIOHandler } from '../../../app/engine/fs-io-handler';
import { registerTrainingKernels } from '../../../app/engine/kernels/register';
import { createVae, disposeVae, trainableVariables, type Vae } from '../../../app/engine/model/vae';
import { VaeTrainer } from '../../../app/engine/train-step';
import { barImages, TINY_CONV } from './fixtures';

let root: string;
const DATA = barImages(8, 28, 1, 2);

beforeAll(async () => {
  await tf.setBackend('cpu');
  registerTrainingKernels('cpu');
  root = await mkdtemp(join(tmpdir(), 'le-ckpt-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function outputs(vae: Vae): { mu: Float32Array; logVar: Float32Array; image: Float32Array } {
  return tf.tidy(() => {
    const x = tf.tensor4d(DATA, [8, 28, 28, 1]);
    const [mu, logVar] = vae.encoder.predict(x) as tf.Tensor[];
    const image = vae.decoder.predict(
      tf.tensor2d([
        [0.3, -1.2],
        [2, 0],
      ]),
    ) as tf.Tensor;
    return {
      mu: mu!.dataSync() as Float32Array,
      logVar: logVar!.dataSync() as Float32Array,
      image: image.dataSync() as Float32Array,
    };
  });
}

function weightsOf(vae: Vae): Float32Array[] {
  return trainableVariables(vae).map((v) => v.dataSync() as Float32Array);
}

function maxDiff(a: Float32Array[], b: Float32Array[]): number {
  let m = 0;
  a.forEach((x, i) => x.forEach((v, j) => (m = Math.max(m, Math.abs(v - (b[i]![j] as number))))));
  return m;
}

describe('checkpoints', () => {
  it('round-trips the encoder and decoder exactly, as standard tfjs layers models', async () => {
    const vae = createVae(TINY_CONV, { seed: 1 });
    const dir = join(root, 'roundtrip');
    const config = await saveCheckpoint(dir, { vae, extra: { run: 'r1' } });
    expect(config.hasOptimizer).toBe(false);
    expect((await readdir(dir)).sort()).toEqual(['config.json', 'decoder', 'encoder']);
    const modelJson = JSON.parse(await readFile(join(dir, 'decoder', 'model.json'), 'utf8'));
    expect(modelJson.weightsManifest[0].paths).toEqual(['weights.bin']);
    expect(modelJson.modelTopology.class_name).toBe('Model');

    const loaded = await loadCheckpoint(dir);
    expect(loaded.config.extra).toEqual({ run: 'r1' });
    expect(loaded.config.model).toEqual(vae.config);
    const a = outputs(vae);
    const b = outputs(loaded.vae);
    expect(maxDiff([a.mu, a.logVar, a.image], [b.mu, b.logVar, b.image])).toBe(0);

    // Any tfjs code can load the decoder on its own through a standard IOHandler.
    const plain = await tf.loadLayersModel(fileSystemIOHandler(join(dir, 'decoder')));
    expect(plain.outputs[0]!.shape).toEqual([null, 28, 28, 1]);
    plain.dispose();
    disposeVae(vae);
    disposeVae(loaded.vae);
  });

  it('restores Adam so the next step equals the step the original would take', async () => {
    const vae = createVae(TINY_CONV, { seed: 2 });
    const trainer = new VaeTrainer(vae, { learningRate: 5e-3, beta: 0.5, seed: 77 });
    for (let i = 0; i < 3; i++) trainer.trainStep(DATA);
    trainer.epoch = 1;
    const dir = join(root, 'resume');
    const config = await saveCheckpoint(dir, {
      vae,
      trainer,
      training: { learningRate: 5e-3, beta: 0.5, seed: 77 },
    });
    expect(config.state).toEqual({ step: 3, epoch: 1, rng: { seed: 77, counter: 3 } });

    const before = tf.memory().numTensors;
    const loaded = await loadCheckpoint(dir);
    const resumed = await restoreTrainer(loaded);
    expect(resumed.getState()).toEqual(config.state);
    // A resumed trainer without Adam's moments takes a different step (so the check below can fail).
    const fresh = await loadCheckpoint(dir, false);
    const naive = new VaeTrainer(fresh.vae, loaded.config.training, { state: fresh.config.state });

    const original = trainer.trainStep(DATA);
    const again = resumed.trainStep(DATA);
    naive.trainStep(DATA);
    expect(again.loss).toBe(original.loss);
    expect(maxDiff(weightsOf(loaded.vae), weightsOf(vae))).toBeLessThan(1e-6);
    expect(maxDiff(weightsOf(fresh.vae), weightsOf(vae))).toBeGreaterThan(1e-4);

    // Loading and disposing frees everything the load created (no optimizer tensors left behind).
    resumed.dispose();
    naive.dispose();
    disposeVae(loaded.vae);
    disposeVae(fresh.vae);
    expect(tf.memory().numTensors).toBe(before);
    trainer.dispose();
    disposeVae(vae);
  });

  it('ignores a half-written temp dir and keeps the previous checkpoint', async () => {
    const vae = createVae(TINY_CONV, { seed: 3 });
    const dir = join(root, 'crash');
    await saveCheckpoint(dir, {
      vae,
      state: { step: 10, epoch: 0, rng: { seed: 0, counter: 10 } },
    });
    // A writer killed mid-save: some files, no config.json.
    const torn = join(root, '.crash.tmp-999-dead');
    await mkdir(join(torn, 'encoder'), { recursive: true });
    await writeFile(join(torn, 'encoder', 'model.json'), '{"modelTopo');
    expect((await resolveCheckpoint(dir))?.path).toBe(dir);
    const loaded = await loadCheckpoint(dir, false);
    expect(loaded.config.state.step).toBe(10);
    disposeVae(loaded.vae);
    // The next save clears it away.
    await saveCheckpoint(dir, {
      vae,
      state: { step: 11, epoch: 0, rng: { seed: 0, counter: 11 } },
    });
    expect((await readdir(root)).filter((n) => n.startsWith('.crash.'))).toEqual([]);
    disposeVae(vae);
  });

  it('recovers after a crash between the two renames of a swap', async () => {
    const vae = createVae(TINY_CONV, { seed: 4 });
    const dir = join(root, 'swap');
    await saveCheckpoint(dir, { vae, state: { step: 1, epoch: 0, rng: { seed: 0, counter: 1 } } });
    await saveCheckpoint(join(root, 'newer'), {
      vae,
      state: { step: 2, epoch: 0, rng: { seed: 0, counter: 2 } },
    });
    await rename(dir, join(root, '.swap.old-1-aaaa')); // first rename done ...
    await rename(join(root, 'newer'), join(root, '.swap.tmp-1-bbbb')); // ... second one never happened
    const found = await resolveCheckpoint(dir);
    expect(found?.config.state.step).toBe(2);
    await saveCheckpoint(dir, { vae, state: { step: 3, epoch: 0, rng: { seed: 0, counter: 3 } } });
    expect((await readdir(root)).filter((n) => n.startsWith('.swap.'))).toEqual([]);
    expect((await readCheckpointConfig(dir))?.state.step).toBe(3);
    disposeVae(vae);
  });

  it('leaves the previous checkpoint intact when a save fails midway', async () => {
    const vae = createVae(TINY_CONV, { seed: 5 });
    const dir = join(root, 'failing');
    await saveCheckpoint(dir, { vae, state: { step: 7, epoch: 0, rng: { seed: 0, counter: 7 } } });
    const trainer = new VaeTrainer(vae);
    trainer.optimizerWeights = () => Promise.reject(new Error('disk full'));
    await expect(saveCheckpoint(dir, { vae, trainer })).rejects.toThrow('disk full');
    expect((await readCheckpointConfig(dir))?.state.step).toBe(7);
    expect((await readdir(root)).filter((n) => n.startsWith('.failing.'))).toEqual([]);
    trainer.dispose();
    disposeVae(vae);
  });

  it('refuses a torn checkpoint instead of guessing', async () => {
    const vae = createVae(TINY_CONV, { seed: 6 });
    const dir = join(root, 'torn');
    await saveCheckpoint(dir, { vae });
    await cp(join(dir, 'encoder', 'weights.bin'), join(dir, 'decoder', 'weights.bin'));
    await expect(loadCheckpoint(dir)).rejects.toThrow(/No complete checkpoint/);
    disposeVae(vae);
  });
});
