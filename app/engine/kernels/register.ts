/**
 * Registers the engine's replacement kernels (convolution gradients, transposed matmuls). This is
 * the one module of app/engine that names backends.
 *
 * - wasm: has no Conv2DBackpropFilter at all (conv training throws), and its Conv2DBackpropInput
 *   (used by conv backprop and by every conv2dTranspose forward pass) is a scalar loop. Both are
 *   replaced by compositions over its XNNPACK Conv2D. Its BatchMatMul / _FusedMatMul use
 *   XNNPACK only without transposes (batch 1) and otherwise a scalar loop, which made dense-layer
 *   gradients ~93% of an MLP step; the replacements transpose explicitly and call the originals.
 * - cpu: its Conv2DBackpropFilter walks tensor buffers element by element and dominates a training
 *   step (~95% of the time for a 28x28 conv VAE); the Conv2D-based version is far faster.
 *
 * Registration is global to the process (the tfjs kernel registry), idempotent, and can be done
 * before or after the backend is initialised. `restoreOriginalKernels` puts the backend's own
 * kernels back (tests use it to compare against them).
 */
import * as tf from '@tensorflow/tfjs';
import { conv2DBackpropFilterViaConv2D } from './conv2d-backprop-filter';
import { conv2DBackpropInputViaConv2D } from './conv2d-backprop-input';
import { batchMatMulViaUntransposed, fusedMatMulViaUntransposed } from './batch-mat-mul';

export type KernelBackendName = 'wasm' | 'cpu';

/**
 * Makes a replacement kernel function for a backend; `original` is the kernel it replaces (some
 * replacements call it, e.g. the matmuls after transposing their operands).
 */
type MakeKernel = (backend: string, original: tf.KernelConfig | undefined) => tf.KernelFunc;

const REPLACEMENTS: Record<KernelBackendName, Record<string, MakeKernel>> = {
  wasm: {
    Conv2DBackpropFilter: conv2DBackpropFilterViaConv2D,
    Conv2DBackpropInput: conv2DBackpropInputViaConv2D,
    BatchMatMul: batchMatMulViaUntransposed,
    _FusedMatMul: fusedMatMulViaUntransposed,
  },
  cpu: {
    Conv2DBackpropFilter: conv2DBackpropFilterViaConv2D,
  },
};

/** The kernels each backend had before we replaced them (undefined: it had none). */
const originals = new Map<string, tf.KernelConfig | undefined>();
const ours = new WeakSet<tf.KernelFunc>();

const key = (kernelName: string, backendName: string) => `${backendName}/${kernelName}`;

function currentKernel(kernelName: string, backendName: string): tf.KernelConfig | undefined {
  return tf.getKernel(kernelName, backendName);
}

function setKernel(
  kernelName: string,
  backendName: string,
  config: tf.KernelConfig | undefined,
): void {
  if (currentKernel(kernelName, backendName) !== undefined)
    tf.unregisterKernel(kernelName, backendName);
  if (config !== undefined) tf.registerKernel(config);
}

/** Whether the engine's kernel is the one registered for this backend and kernel name. */
export function isReplaced(kernelName: string, backendName: KernelBackendName): boolean {
  const k = currentKernel(kernelName, backendName);
  return k !== undefined && ours.has(k.kernelFunc);
}

/**
 * Registers the replacement kernels for `backendName` and returns the kernel names now served by
 * them. Backends without replacements return [].
 */
export function registerTrainingKernels(backendName: string): string[] {
  if (backendName !== 'wasm' && backendName !== 'cpu') return [];
  const table = REPLACEMENTS[backendName];
  for (const [kernelName, make] of Object.entries(table)) {
    if (isReplaced(kernelName, backendName)) continue;
    const original = currentKernel(kernelName, backendName);
    const kernelFunc = make(backendName, original);
    originals.set(key(kernelName, backendName), original);
    ours.add(kernelFunc);
    // The original's setup (e.g. wasm's cwrap of its C function) must still run when the backend
    // initialises after this registration: replacements that call the original need it.
    setKernel(kernelName, backendName, {
      kernelName,
      backendName,
      kernelFunc,
      setupFunc: original?.setupFunc,
      disposeFunc: original?.disposeFunc,
    });
  }
  return Object.keys(table);
}

/** Puts back the kernels `registerTrainingKernels` replaced for this backend. */
export function restoreOriginalKernels(backendName: KernelBackendName): void {
  for (const kernelName of Object.keys(REPLACEMENTS[backendName])) {
    const k = key(kernelName, backendName);
    if (!originals.has(k) || !isReplaced(kernelName, backendName)) continue;
    setKernel(kernelName, backendName, originals.get(k));
    originals.delete(k);
  }
}
