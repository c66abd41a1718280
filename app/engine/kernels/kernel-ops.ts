/**
 * Composing kernels out of other kernels of the same backend, below the tfjs engine.
 *
 * A kernel function receives raw `TensorInfo`s and must return one; it cannot call `tf.*` ops
 * (they would be traced and tracked by the engine mid-kernel). Instead, `KernelOps` looks up
 * the backend's own registered kernels (`tf.getKernel(name, backendName)`) and calls their
 * `kernelFunc` directly, tracking every intermediate so `finish` can release them all with
 * `backend.disposeData` (which decrements the data's refcount, so kernels that alias their input,
 * like Reshape, are handled too). The backend name is a parameter: nothing here is specific to
 * one backend.
 */
import * as tf from '@tensorflow/tfjs';

type Info = tf.TensorInfo;

export type Pad2D = [[number, number], [number, number]];

/** A named kernel input, which the registry types as optional. */
export function requireInput(
  inputs: tf.NamedTensorInfoMap,
  name: string,
  kernelName: string,
): Info {
  const t = inputs[name];
  if (t === undefined) throw new Error(`${kernelName}: missing input '${name}'.`);
  return t;
}

/** The 4 dimensions of a rank-4 shape. */
export function dims4(shape: number[], what: string): [number, number, number, number] {
  if (shape.length !== 4) throw new Error(`${what} must be rank 4 (got shape [${shape}]).`);
  return shape as [number, number, number, number];
}

export class KernelOps {
  private readonly temps: Info[] = [];

  private readonly backend: tf.KernelBackend;

  /** @param backend the `backend` a kernel function received (typed `{}` by the registry). */
  constructor(
    backend: object,
    private readonly backendName: string,
  ) {
    this.backend = backend as tf.KernelBackend;
  }

  /** Reads a tensor's values synchronously (for small tensors such as filters). */
  read(x: Info): Float32Array {
    return this.backend.readSync(x.dataId) as Float32Array;
  }

  run(kernelName: string, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap = {}): Info {
    const kernel = tf.getKernel(kernelName, this.backendName);
    if (kernel === undefined) {
      throw new Error(
        `Kernel '${kernelName}' is not registered for backend '${this.backendName}'.`,
      );
    }
    const out = kernel.kernelFunc({ inputs, attrs, backend: this.backend });
    if (Array.isArray(out)) throw new Error(`Kernel '${kernelName}' returned several outputs.`);
    this.temps.push(out);
    return out;
  }

  /** A new float32 tensor holding `values` (an intermediate like any other). */
  write(values: Float32Array, shape: number[]): Info {
    const info: Info = {
      dataId: this.backend.write(values, shape, 'float32'),
      shape,
      dtype: 'float32',
    };
    this.temps.push(info);
    return info;
  }

  reshape(x: Info, shape: number[]): Info {
    return this.run('Reshape', { x }, { shape });
  }

  transpose(x: Info, perm: number[]): Info {
    return this.run('Transpose', { x }, { perm });
  }

  reverse(x: Info, dims: number[]): Info {
    return this.run('Reverse', { x }, { dims });
  }

  slice(x: Info, begin: number[], size: number[]): Info {
    return this.run('Slice', { x }, { begin, size });
  }

  pad(x: Info, paddings: [number, number][]): Info {
    return this.run('PadV2', { x }, { paddings, constantValue: 0 });
  }

  /**
   * Pads (positive amounts) and crops (negative amounts) the H and W axes of an NHWC tensor.
   * Returns `x` itself when nothing changes.
   */
  padOrCrop(x: Info, [[top, bottom], [left, right]]: Pad2D): Info {
    let out = x;
    const crop = [Math.max(0, -top), Math.max(0, -bottom), Math.max(0, -left), Math.max(0, -right)];
    if (crop.some((c) => c > 0)) {
      const [n, h, w, c] = dims4(out.shape, 'padOrCrop input');
      const [ct, cb, cl, cr] = crop as [number, number, number, number];
      out = this.slice(out, [0, ct, cl, 0], [n, h - ct - cb, w - cl - cr, c]);
    }
    const pad = [Math.max(0, top), Math.max(0, bottom), Math.max(0, left), Math.max(0, right)];
    if (pad.some((p) => p > 0)) {
      const [pt, pb, pl, pr] = pad as [number, number, number, number];
      out = this.pad(out, [
        [0, 0],
        [pt, pb],
        [pl, pr],
        [0, 0],
      ]);
    }
    return out;
  }

  /**
   * NHWC conv2d without padding ('valid'); pad first with {@link padOrCrop}. (A separate PadV2
   * plus a 'valid' conv is ~2x faster on wasm than a conv with explicit padding attributes.)
   */
  conv2d(
    x: Info,
    filter: Info,
    o: { strides: [number, number]; dilations: [number, number] },
  ): Info {
    return this.run(
      'Conv2D',
      { x, filter },
      { strides: o.strides, dilations: o.dilations, pad: 'valid', dataFormat: 'NHWC' },
    );
  }

  batchMatMul(a: Info, b: Info, transposeA: boolean, transposeB: boolean): Info {
    return this.run('BatchMatMul', { a, b }, { transposeA, transposeB });
  }

  /** Releases every intermediate except `result` and returns it. */
  finish(result: Info): Info {
    for (const t of this.temps) {
      if (t !== result) this.backend.disposeData(t.dataId);
    }
    this.temps.length = 0;
    return result;
  }

  /** Releases every intermediate (on error paths). */
  disposeAll(): void {
    for (const t of this.temps) this.backend.disposeData(t.dataId);
    this.temps.length = 0;
  }
}
