/**
 * Where a training step's time goes: runs a few `trainStep`s under `tf.profile` and sums kernel
 * time by kernel name (wasm and cpu kernels run synchronously, so each kernel's wall time is its
 * cost). The remainder of the step (step wall time minus kernel time) is tfjs bookkeeping: the
 * layers API, autodiff tape, tensor allocation and disposal, and copying the batch in.
 *
 *   node build/bench-engine/profile.bench.js --backend wasm --model mlp [--steps 5]
 */
import * as tf from '@tensorflow/tfjs';
import { createVae, disposeVae, pixelsPerImage, VaeTrainer } from '../../app/engine';
import {
  activateBackend,
  args,
  intArg,
  log,
  machineRecord,
  main,
  modelConfig,
  parseBackend,
  parseModel,
  round,
  uniformArray,
} from './common';

interface KernelTotal {
  kernel: string;
  calls: number;
  ms: number;
  share: number;
}

main(async () => {
  const a = args(['backend', 'model', 'batch', 'steps', 'top']);
  const backend = parseBackend(a.backend);
  const model = parseModel(a.model);
  const config = modelConfig(model);
  const batch = intArg(a, 'batch', config.architecture === 'mlp' ? 128 : 64);
  const steps = Math.max(1, intArg(a, 'steps', 5));
  const top = intArg(a, 'top', 12);
  const base = { benchmark: 'train-profile', implementation: 'tfjs', model, batch };

  const active = await activateBackend(backend);
  if ('unavailable' in active) return { ...base, backend, skipped: active.unavailable };

  const vae = createVae(config, { seed: 1 });
  const trainer = new VaeTrainer(vae, { seed: 1 });
  const data = uniformArray(batch * pixelsPerImage(config), 7);
  for (let i = 0; i < 3; i++) trainer.trainStep(data);

  const totals = new Map<string, { calls: number; ms: number }>();
  let wallMs = 0;
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    const info = await tf.profile(() => {
      trainer.trainStep(data);
    });
    wallMs += performance.now() - t0;
    for (const k of info.kernels) {
      // `<op>__op` entries are custom-gradient wrappers (e.g. fusedMatMul__op) whose time already
      // includes the kernel they run (_FusedMatMul): counting both would count it twice.
      if (k.name.endsWith('__op')) continue;
      const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
      const t = totals.get(k.name) ?? { calls: 0, ms: 0 };
      t.calls += 1;
      t.ms += ms;
      totals.set(k.name, t);
    }
  }
  // Profiling adds its own overhead (it reads every kernel's output shape); time plain steps too.
  const t1 = performance.now();
  for (let i = 0; i < steps; i++) trainer.trainStep(data);
  const plainStepMs = (performance.now() - t1) / steps;

  const kernelMs = [...totals.values()].reduce((s, t) => s + t.ms, 0) / steps;
  const kernels: KernelTotal[] = [...totals.entries()]
    .map(([kernel, t]) => ({
      kernel,
      calls: round(t.calls / steps, 1),
      ms: round(t.ms / steps, 2),
      /** Share of all kernel time (profiling slows steps a little, so not of a plain step). */
      share: round(t.ms / steps / kernelMs, 3),
    }))
    .sort((x, y) => y.ms - x.ms);
  log(`${backend} ${model}: step ${plainStepMs.toFixed(1)} ms, kernels ${kernelMs.toFixed(1)} ms`);
  for (const k of kernels.slice(0, top)) {
    log(
      `  ${k.kernel.padEnd(24)} ${String(k.calls).padStart(5)} calls ${k.ms.toFixed(2).padStart(9)} ms`,
    );
  }
  trainer.dispose();
  disposeVae(vae);
  return {
    ...base,
    backend: active.record,
    steps,
    stepMs: round(plainStepMs, 2),
    profiledStepMs: round(wallMs / steps, 2),
    kernelMsPerStep: round(kernelMs, 2),
    /** Share of a profiled step not spent inside kernels (layers API, tape, allocation). */
    overheadShare: round(Math.max(0, 1 - (kernelMs * steps) / wallMs), 3),
    kernelsPerStep: round(
      kernels.reduce((s, k) => s + k.calls, 0),
      1,
    ),
    topKernels: kernels.slice(0, top),
    machine: machineRecord(),
  };
});
