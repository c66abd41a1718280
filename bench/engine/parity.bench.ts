/**
 * Weight-transfer parity between the engine and the PyTorch reference: for each model, builds a
 * seeded VAE, writes its initial weights, a few synthetic batches and the exact ε the trainer will
 * draw (same seeds as forward.ts `reparameterize`) to a directory, then runs the engine's
 * `VaeTrainer` on those batches and reports the per-step losses. `mlp_vae.py parity --dir DIR`
 * loads the same weights into its models, replays the steps with the same ε and reports its
 * losses; run.mjs compares them. Equal losses at step 0 show that the two architectures and losses
 * are the same function; equal losses after several Adam steps show the gradients and the
 * optimiser (β1, β2, ε, bias correction) agree too.
 *
 *   node build/bench-engine/parity.bench.js --backend wasm --dir /tmp/parity [--steps 5]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { createVae, disposeVae, pixelsPerImage, VaeTrainer, type Vae } from '../../app/engine';
import { SeedSequence } from '../../app/engine/rng';
import {
  activateBackend,
  args,
  intArg,
  log,
  machineRecord,
  main,
  MODELS,
  modelConfig,
  parseBackend,
  uniformArray,
  type ModelName,
} from './common';

interface WeightEntry {
  name: string;
  torch: string;
  kind: 'dense_kernel' | 'conv_kernel' | 'deconv_kernel' | 'bias';
  shape: number[];
  file: string;
}

/** The PyTorch module path of an engine layer (see the Vae class of mlp_vae.py). */
function torchModule(layer: string, levels: number): string {
  const m = /^(enc_dense|dec_dense|enc_conv|dec_deconv)_(\d+)$/.exec(layer);
  if (m) {
    const i = Number(m[2]);
    switch (m[1]) {
      case 'enc_dense':
        return `enc_hidden.${i}`;
      case 'dec_dense':
        return `dec_hidden.${i}`;
      case 'enc_conv':
        return `enc_convs.${i}`;
      default:
        // dec_deconv_i runs for i = levels-1 down to 0: PyTorch keeps them in running order.
        return `dec_deconvs.${levels - 1 - i}`;
    }
  }
  return layer; // z_mean, z_log_var, dec_dense (conv), dec_out, decoder_logits
}

function writeF32(dir: string, file: string, data: Float32Array): void {
  writeFileSync(join(dir, file), Buffer.from(data.buffer, data.byteOffset, data.byteLength));
}

function exportWeights(vae: Vae, model: ModelName, dir: string): WeightEntry[] {
  const entries: WeightEntry[] = [];
  for (const layer of [...vae.encoder.layers, ...vae.decoder.layers]) {
    const weights = layer.getWeights();
    weights.forEach((w, i) => {
      const kind: WeightEntry['kind'] =
        i === 1
          ? 'bias'
          : w.rank === 2
            ? 'dense_kernel'
            : layer.name.startsWith('dec_deconv')
              ? 'deconv_kernel'
              : 'conv_kernel';
      const file = `${model}-w${entries.length}.bin`;
      writeF32(dir, file, w.dataSync() as Float32Array);
      entries.push({
        name: `${layer.name}/${i === 0 ? 'kernel' : 'bias'}`,
        torch: `${torchModule(layer.name, vae.config.widths.length)}.${i === 0 ? 'weight' : 'bias'}`,
        kind,
        shape: w.shape,
        file,
      });
    });
  }
  return entries;
}

main(async () => {
  const a = args(['backend', 'dir', 'steps', 'batch']);
  const backend = parseBackend(a.backend ?? 'wasm');
  const dir = a.dir;
  if (dir === undefined) throw new Error('--dir is required');
  const steps = Math.max(1, intArg(a, 'steps', 5));
  const batch = intArg(a, 'batch', 16);
  const active = await activateBackend(backend);
  if ('unavailable' in active)
    return { benchmark: 'parity', implementation: 'tfjs', backend, skipped: active.unavailable };
  mkdirSync(dir, { recursive: true });

  const manifest: { models: object[] } = { models: [] };
  const results: {
    model: ModelName;
    steps: { loss: number; reconstruction: number; kl: number }[];
  }[] = [];
  for (const model of MODELS) {
    const config = modelConfig(model);
    const vae = createVae(config, { seed: 3 });
    const weights = exportWeights(vae, model, dir);
    const trainerSeed = 11;
    const trainer = new VaeTrainer(vae, { learningRate: 1e-3, seed: trainerSeed });
    // The trainer draws one seed per step from SeedSequence(seed) and reparameterize() draws
    // ε = randomNormal([N, L], 0, 1, 'float32', thatSeed): replay the same draws for PyTorch.
    const seeds = new SeedSequence(trainerSeed);
    const stepEntries: object[] = [];
    const losses: { loss: number; reconstruction: number; kl: number }[] = [];
    for (let s = 0; s < steps; s++) {
      const x = uniformArray(batch * pixelsPerImage(config), 500 + s);
      const eps = tf.tidy(() =>
        tf.randomNormal([batch, config.latentDim], 0, 1, 'float32', seeds.next()).dataSync(),
      ) as Float32Array;
      const batchFile = `${model}-x${s}.bin`;
      const epsFile = `${model}-eps${s}.bin`;
      writeF32(dir, batchFile, x);
      writeF32(dir, epsFile, eps);
      stepEntries.push({ batch, batchFile, epsFile });
      const m = trainer.trainStep(x);
      losses.push({ loss: m.loss, reconstruction: m.reconstruction, kl: m.kl });
    }
    log(
      `${model}: ${weights.length} weight tensors, losses ${losses.map((l) => l.loss.toFixed(3)).join(' ')}`,
    );
    manifest.models.push({ model, config, weights, steps: stepEntries });
    results.push({ model, steps: losses });
    trainer.dispose();
    disposeVae(vae);
  }
  writeFileSync(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return {
    benchmark: 'parity',
    implementation: 'tfjs',
    backend: active.record,
    dir,
    batch,
    models: results,
    machine: machineRecord(),
  };
});
