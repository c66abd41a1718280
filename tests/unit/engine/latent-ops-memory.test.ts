/**
 * The model worker's latent operations run in this process (ModelServer, CPU backend) on a real
 * catalogue and checkpoint: every method answers, and none leaves a tensor behind.
 */
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveCheckpoint } from '../../../app/engine/checkpoint';
import { createVae, disposeVae } from '../../../app/engine/model/vae';
import { ModelServer } from '../../../app/engine/worker/model-server';
import type {
  ModelArgs,
  ModelCall,
  ModelEvent,
  ModelMethod,
  ModelResult,
} from '../../../app/engine/worker/protocol';
import { openLibrary, type Library } from '../../../app/library';
import { makeTempDir, put, solid } from '../library/helpers';

const SPEC = {
  size: 28,
  channels: 1 as const,
  fit: 'cover' as const,
  background: { r: 0, g: 0, b: 0 },
};
const RUN = 'run-20261204-000000-test';

let cleanup: () => Promise<void>;
let lib: Library;
let server: ModelServer;
let checkpointDir: string;
let libraryDir: string;
let setId: number;
let folderIds: number[];
let imageIds: number[];
let dark: number[];
let light: number[];
const replies = new Map<number, ModelEvent>();
let nextId = 1;

async function call<M extends ModelMethod>(method: M, args: ModelArgs<M>): Promise<ModelResult<M>> {
  const id = nextId++;
  const message: ModelCall<M> = {
    type: 'call',
    id,
    method,
    checkpointDir,
    libraryDir,
    spec: SPEC,
    embeddings: setId ? { setId, folderIds } : null,
    args,
  };
  await server.handle(message as ModelCall);
  const reply = replies.get(id);
  if (reply?.type !== 'reply') throw new Error(`no reply to ${method}`);
  if (!reply.ok) throw new Error(`${method}: ${reply.error.message}`);
  return reply.value as ModelResult<M>;
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  const temp = await makeTempDir('latent-ops');
  cleanup = temp.cleanup;
  libraryDir = path.join(temp.dir, 'library');
  lib = await openLibrary(libraryDir);
  // One added folder with two class sub-folders, like the Fashion-MNIST demo.
  const root = path.join(temp.dir, 'photos');
  for (const [name, shift] of [
    ['dark', 0],
    ['light', 120],
  ] as const) {
    for (let i = 0; i < 12; i++) {
      const v = shift + i * 9;
      await put(path.join(root, name), `c${i}.png`, await solid('png', { r: v, g: v, b: v }));
    }
  }
  const record = await lib.addFolder(root, SPEC);
  await lib.ingest(record, { spec: SPEC, progressIntervalMs: 0 });
  folderIds = [record.id];
  const listed = lib.listImages({ limit: 100 }).images;
  imageIds = listed.map((i) => i.id);
  dark = listed.filter((i) => i.relPath.startsWith('dark/')).map((i) => i.id);
  light = listed.filter((i) => i.relPath.startsWith('light/')).map((i) => i.id);
  const vae = createVae(
    {
      architecture: 'mlp',
      imageSize: 28,
      channels: 1,
      latentDim: 3,
      widths: [8],
      likelihood: 'bernoulli',
    },
    { seed: 4 },
  );
  checkpointDir = path.join(temp.dir, 'run', 'checkpoint');
  await saveCheckpoint(checkpointDir, { vae });
  disposeVae(vae);
  server = new ModelServer({
    send: (event) => {
      if (event.type === 'reply') replies.set(event.id, event);
    },
    openLibrary: (dir) => openLibrary(dir, { readOnly: true }),
  });
  setId = 0;
  const set = lib.trainingSet(SPEC);
  const encoded = await call('encodeSlots', { slots: set.slots });
  const d = encoded.dims;
  const info = lib.embeddings.write(
    RUN,
    1,
    d,
    set.hashes.map((hash, i) => ({
      hash,
      mu: encoded.mu.slice(i * d, (i + 1) * d),
      logvar: encoded.logVar.slice(i * d, (i + 1) * d),
      negElbo: encoded.negElbo[i] as number,
      kl: encoded.kl[i] as number,
    })),
  );
  setId = info.id;
}, 60_000);

afterAll(async () => {
  await server?.close();
  await lib?.close();
  await cleanup?.();
});

describe('latent operations in the model worker', () => {
  it('answer every method and leak no tensors', async () => {
    const a = imageIds[0] as number;
    const b = imageIds[20] as number;
    const map = await call('computeMap', { method: 'pca', seed: 1 });
    lib.embeddings.saveMap(
      setId,
      'pca',
      { ...map.decodeMeta, seed: 1 },
      Int32Array.from(map.imageIds),
      Float32Array.from(map.x.flatMap((x, i) => [x, map.y[i] as number])),
      { revision: map.revision },
    );
    const calls: (() => Promise<unknown>)[] = [
      () => call('posterior', { source: { imageId: a } }),
      () => call('neighbors', { source: { imageId: a }, k: 3, metric: 'bhattacharyya' }),
      () => call('interpolate', { sources: [{ imageId: a }, { imageId: b }], steps: 4 }),
      () => call('traverse', { source: { imageId: a }, dim: 1 }),
      () => call('latentGrid', { rows: 2, columns: 3 }),
      () => call('latentSummary', { k: 3 }),
      () => call('decodeMapPoint', { method: 'pca', x: 0.1, y: -0.2 }),
      () =>
        call('attributeVector', {
          a: { imageIds: dark },
          b: { imageIds: light },
          target: { imageId: a },
        }),
      () => call('outliers', { limit: 5 }),
      () => call('samplePrior', { count: 4, seed: 2 }),
    ];
    for (const run of calls) await run(); // warm-up: the model is loaded and cached once
    const before = tf.memory().numTensors;
    for (const run of calls) await run();
    expect(tf.memory().numTensors).toBe(before);

    const near = await call('neighbors', { source: { imageId: a }, k: 5 });
    expect(near.searched).toBe(24);
    expect(near.neighbors).toHaveLength(5);
    const summary = await call('latentSummary', {});
    expect(summary.images).toBe(24);
    expect(summary.folderAgreement?.folders).toBe(2); // two sub-folders of one added folder
    const attr = await call('attributeVector', { a: { imageIds: dark }, b: { imageIds: light } });
    expect(attr.sizes).toEqual({ a: 12, b: 12 });
  });
});
