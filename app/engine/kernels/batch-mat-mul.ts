/**
 * BatchMatMul and _FusedMatMul with transposed operands, routed to the backend's fast path.
 *
 * tfjs-backend-wasm 4.22 runs a matmul on XNNPACK only when neither operand is transposed and
 * both have batch 1 (`batch_mat_mul_impl.cc`); anything else goes to a blocked scalar loop. Dense
 * layer gradients are exactly the transposed case (dW = xᵀ·dy, dx = dy·Wᵀ), so on wasm they
 * dominated an MLP training step. These replacements materialise each transposed operand with the
 * backend's own Transpose kernel (swapping the last two axes) and call the ORIGINAL kernel,
 * captured at registration, with both transposes off. Batched matmuls (batch > 1 on either side)
 * cannot reach XNNPACK anyway, and transposing first did not make the scalar loop faster, so they
 * go to the original kernel unchanged, as do untransposed ones.
 *
 * Bias and activation of _FusedMatMul apply to the output, which is unchanged, so they pass
 * through as they are. Every intermediate is released before returning.
 */
import type * as tf from '@tensorflow/tfjs';
import { KernelOps, requireInput } from './kernel-ops';

type Info = tf.TensorInfo;

/** Product of all but the last two dimensions (the matmul batch). */
function batchOf(shape: number[]): number {
  return shape.slice(0, -2).reduce((p, d) => p * d, 1);
}

/** The permutation that swaps the last two axes of a rank-`rank` tensor. */
function swapLastTwo(rank: number): number[] {
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return perm;
}

function wrapMatMul(
  kernelName: string,
  backendName: string,
  original: tf.KernelConfig | undefined,
): tf.KernelFunc {
  if (original === undefined) {
    throw new Error(`${kernelName}: backend '${backendName}' has no kernel to wrap.`);
  }
  const originalFunc = original.kernelFunc;
  return ({ inputs, backend, attrs }) => {
    const a = requireInput(inputs, 'a', kernelName);
    const b = requireInput(inputs, 'b', kernelName);
    const { transposeA, transposeB } = attrs as unknown as tf.BatchMatMulAttrs;
    const batched = batchOf(a.shape) !== 1 || batchOf(b.shape) !== 1;
    if ((!transposeA && !transposeB) || batched || a.shape.length < 2 || b.shape.length < 2) {
      return originalFunc({ inputs, backend, attrs });
    }
    const ops = new KernelOps(backend, backendName);
    try {
      const aN: Info = transposeA ? ops.transpose(a, swapLastTwo(a.shape.length)) : a;
      const bN: Info = transposeB ? ops.transpose(b, swapLastTwo(b.shape.length)) : b;
      const out = originalFunc({
        inputs: { ...inputs, a: aN, b: bN },
        backend,
        attrs: { ...attrs, transposeA: false, transposeB: false },
      });
      if (Array.isArray(out)) throw new Error(`${kernelName} returned several outputs.`);
      return ops.finish(out as Info);
    } catch (e) {
      ops.disposeAll();
      throw e;
    }
  };
}

export function batchMatMulViaUntransposed(
  backendName: string,
  original: tf.KernelConfig | undefined,
): tf.KernelFunc {
  return wrapMatMul('BatchMatMul', backendName, original);
}

export function fusedMatMulViaUntransposed(
  backendName: string,
  original: tf.KernelConfig | undefined,
): tf.KernelFunc {
  return wrapMatMul('_FusedMatMul', backendName, original);
}
