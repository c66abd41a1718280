/**
 * Inference speed of one model on one backend, through the engine's public functions:
 * - batched encode throughput: `encodeImages` over `encode-count` synthetic images in batches of
 *   `encode-batch` (μ and log σ² read back to Float32Arrays), images/s;
 * - the library encode job's pass (`evaluateElbo` with posteriors: μ, log σ², −ELBO and KL per
 *   image, what `encodeLibrary` stores), images/s;
 * - single-latent decode latency: `decodeLatents` of one latent vector (what a latent-space slider
 *   does on every move), `decodes` calls after `warmup` untimed ones, p50/p95 ms.
 *
 *   node build/bench-engine/latency.bench.js --backend wasm --model conv28 \
 *     [--encode-count 2048] [--encode-batch 128] [--max-seconds 20] [--decodes 200] [--warmup 20]
 *
 * Encoding stops early (after whole calls of 4 batches) once `max-seconds` are spent.
 */
import {
  createVae,
  decodeLatents,
  disposeVae,
  encodeImages,
  evaluateElbo,
  pixelsPerImage,
} from '../../app/engine';
import {
  activateBackend,
  args,
  intArg,
  log,
  machineRecord,
  main,
  modelConfig,
  normalArray,
  parseBackend,
  parseModel,
  round,
  stats,
  uniformArray,
} from './common';

main(async () => {
  const a = args([
    'backend',
    'model',
    'encode-count',
    'encode-batch',
    'decodes',
    'warmup',
    'max-seconds',
  ]);
  const backend = parseBackend(a.backend);
  const model = parseModel(a.model);
  const config = modelConfig(model);
  const encodeCount = Math.max(1, intArg(a, 'encode-count', 2048));
  const encodeBatch = Math.max(1, intArg(a, 'encode-batch', 128));
  const decodes = Math.max(1, intArg(a, 'decodes', 200));
  const warmup = intArg(a, 'warmup', 20);
  const maxSeconds = intArg(a, 'max-seconds', 20);
  const base = { benchmark: 'inference-latency', implementation: 'tfjs', model, config };

  const active = await activateBackend(backend);
  if ('unavailable' in active) return { ...base, backend, skipped: active.unavailable };

  const vae = createVae(config, { seed: 1 });
  const per = pixelsPerImage(config);
  const images = uniformArray(encodeCount * per, 5);

  await encodeImages(vae, images.subarray(0, Math.min(encodeCount, encodeBatch) * per), {
    batchSize: encodeBatch,
  });
  // Encode in calls of up to 4 batches until all images are done or the time budget is spent
  // (the pure-JS cpu backend manages ~20 images/s on conv64).
  const chunk = 4 * encodeBatch;
  let encoded = 0;
  const e0 = performance.now();
  while (encoded < encodeCount) {
    const n = Math.min(chunk, encodeCount - encoded);
    await encodeImages(vae, images.subarray(encoded * per, (encoded + n) * per), {
      batchSize: encodeBatch,
    });
    encoded += n;
    if (performance.now() - e0 > maxSeconds * 1000) break;
  }
  const encodeSeconds = (performance.now() - e0) / 1000;

  let stored = 0;
  const l0 = performance.now();
  while (stored < encodeCount) {
    const n = Math.min(chunk, encodeCount - stored);
    await evaluateElbo(vae, images.subarray(stored * per, (stored + n) * per), {
      batchSize: encodeBatch,
      seed: 0,
      posteriors: true,
    });
    stored += n;
    if (performance.now() - l0 > maxSeconds * 1000) break;
  }
  const libraryEncodeSeconds = (performance.now() - l0) / 1000;

  const z = normalArray(config.latentDim, 9);
  for (let i = 0; i < warmup; i++) await decodeLatents(vae, z);
  const times: number[] = [];
  for (let i = 0; i < decodes; i++) {
    const t0 = performance.now();
    await decodeLatents(vae, z);
    times.push(performance.now() - t0);
  }
  const decodeOne = stats(times);
  const encodePerSec = encoded / encodeSeconds;
  log(
    `${backend} ${model}: encode ${encodePerSec.toFixed(0)} images/s, library encode ` +
      `${(stored / libraryEncodeSeconds).toFixed(0)} images/s; decode one latent ` +
      `p50 ${decodeOne.p50Ms} ms, p95 ${decodeOne.p95Ms} ms`,
  );
  disposeVae(vae);
  return {
    ...base,
    backend: active.record,
    encode: {
      images: encoded,
      batch: encodeBatch,
      seconds: round(encodeSeconds, 3),
      imagesPerSec: round(encodePerSec, 1),
    },
    libraryEncode: {
      images: stored,
      batch: encodeBatch,
      seconds: round(libraryEncodeSeconds, 3),
      imagesPerSec: round(stored / libraryEncodeSeconds, 1),
    },
    decodeOne,
    machine: machineRecord(),
  };
});
