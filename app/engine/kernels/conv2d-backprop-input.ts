/**
 * Conv2DBackpropInput (the input gradient of conv2d, and the forward pass of conv2dTranspose)
 * expressed as one stride-1 forward Conv2D, so it runs on the backend's fast convolution.
 * dy [B, OH, OW, Co], filter W [fH, fW, Ci, Co], strides (sh, sw), forward padding (pt, pl);
 * the forward conv read input row i = sh·o + k − pt for output row o and filter tap k, so
 *
 *   dx[j − pt] = Σ_{o, k : sh·o + k = j} dy[o] · W[k]       (per axis; channels contracted)
 *
 * Equal strides s (the common case) use the sub-pixel form, which does no multiply by zero:
 * write j = s·m + r (phase r < s); then k = r + s·t and o = m − t, so every phase is a small
 * stride-1 correlation of dy with the taps W[r + s·t], t < T = ⌈f/s⌉. All s² phases run as ONE
 * conv2d whose s²·Ci output channels are the phases, with the taps rearranged into
 * G [T_h, T_w, Co, s²·Ci] (reversed in t, zero where r + s·t ≥ f), and interleaving the
 * phases back into rows/columns (a reshape-transpose-reshape) and a slice removes the first pt
 * rows / pl columns.
 *
 * Unequal strides fall back to the textbook form: dilate dy with s − 1 zeros between rows and
 * columns, pad by f − 1 − p, and run a stride-1 conv with W flipped spatially and its channel axes
 * swapped (s² times the multiplies of the sub-pixel form, most of them by zero).
 * Both support 'same' / 'valid' / explicit padding, dilation 1, NHWC.
 */
import * as tf from '@tensorflow/tfjs';
import { dims4, KernelOps, requireInput } from './kernel-ops';

type Info = tf.TensorInfo;

/** Inserts (sh − 1) zero rows / (sw − 1) zero columns after each row / column of x [B, H, W, C]. */
function dilate(ops: KernelOps, x: Info, sh: number, sw: number): Info {
  const [b, h, w, c] = dims4(x.shape, 'dy');
  let out = x;
  if (sw > 1) {
    const cols = ops.reshape(out, [b * h, w, 1, c]);
    const padded = ops.pad(cols, [
      [0, 0],
      [0, 0],
      [0, sw - 1],
      [0, 0],
    ]);
    out = ops.reshape(padded, [b, h, w * sw, c]);
  }
  if (sh > 1) {
    const rows = ops.reshape(out, [b, h, 1, w * sw * c]);
    const padded = ops.pad(rows, [
      [0, 0],
      [0, 0],
      [0, sh - 1],
      [0, 0],
    ]);
    out = ops.reshape(padded, [b, h * sh, w * sw, c]);
  }
  return out;
}

/**
 * Rearranges W [fH, fW, Ci, Co] into the sub-pixel filter G [T_h, T_w, Co, s²·Ci]:
 * G[u, v, co, (rh·s + rw)·Ci + ci] = W[rh + s·(T_h − 1 − u), rw + s·(T_w − 1 − v), ci, co], or 0.
 * A plain loop over the (small) filter values.
 */
function subPixelFilter(
  w: Float32Array,
  [fh, fw, ci, co]: [number, number, number, number],
  s: number,
): { values: Float32Array; shape: [number, number, number, number] } {
  const th = Math.ceil(fh / s);
  const tw = Math.ceil(fw / s);
  const outC = s * s * ci;
  const g = new Float32Array(th * tw * co * outC);
  for (let u = 0; u < th; u++) {
    for (let v = 0; v < tw; v++) {
      for (let rh = 0; rh < s; rh++) {
        const kh = rh + s * (th - 1 - u);
        if (kh >= fh) continue;
        for (let rw = 0; rw < s; rw++) {
          const kw = rw + s * (tw - 1 - v);
          if (kw >= fw) continue;
          for (let c = 0; c < ci; c++) {
            const src = ((kh * fw + kw) * ci + c) * co;
            const dstBase = (u * tw + v) * co * outC + (rh * s + rw) * ci + c;
            for (let o = 0; o < co; o++) g[dstBase + o * outC] = w[src + o] as number;
          }
        }
      }
    }
  }
  return { values: g, shape: [th, tw, co, outC] };
}

export function conv2DBackpropInputViaConv2D(backendName: string): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const dy = requireInput(inputs, 'dy', 'Conv2DBackpropInput');
    const filter = requireInput(inputs, 'filter', 'Conv2DBackpropInput');
    const filterShape = dims4(filter.shape, 'Conv2DBackpropInput filter');
    const { strides, pad, dataFormat, dimRoundingMode, inputShape } =
      attrs as unknown as tf.Conv2DBackpropInputAttrs;
    if (dataFormat !== undefined && dataFormat !== 'NHWC') {
      throw new Error(
        `Conv2DBackpropInput on '${backendName}' supports NHWC only (got ${dataFormat}).`,
      );
    }
    const info = tf.backend_util.computeConv2DInfo(
      inputShape,
      filterShape,
      strides,
      1,
      pad,
      dimRoundingMode,
      false,
      'channelsLast',
    );
    const { filterHeight: fh, filterWidth: fw, strideHeight: sh, strideWidth: sw, padInfo } = info;
    const ops = new KernelOps(backend, backendName);
    try {
      if (sh === sw && sh > 1) {
        const s = sh;
        const g = subPixelFilter(ops.read(filter), filterShape, s);
        const [th, tw, , phaseC] = g.shape;
        const mh = Math.ceil((padInfo.top + info.inHeight) / s);
        const mw = Math.ceil((padInfo.left + info.inWidth) / s);
        const padded = ops.padOrCrop(dy, [
          [th - 1, mh - info.outHeight],
          [tw - 1, mw - info.outWidth],
        ]);
        const phases = ops.conv2d(padded, ops.write(g.values, g.shape), {
          strides: [1, 1],
          dilations: [1, 1],
        });
        // Interleave phases (depth-to-space) with one 4-D transpose: [B·mh, mw, s, s·Ci] holds
        // (row phase, (column phase, channel)); swapping axes 1 and 2 puts the row phase after m.
        const b = info.batchSize;
        const ci = phaseC / (s * s);
        const split = ops.reshape(phases, [b * mh, mw, s, s * ci]);
        const rows = ops.transpose(split, [0, 2, 1, 3]); // [B·mh, s, mw, s·Ci]
        const full = ops.reshape(rows, [b, mh * s, mw * s, ci]);
        if (
          padInfo.top === 0 &&
          padInfo.left === 0 &&
          mh * s === info.inHeight &&
          mw * s === info.inWidth
        ) {
          return ops.finish(full);
        }
        return ops.finish(
          ops.slice(full, [0, padInfo.top, padInfo.left, 0], [b, info.inHeight, info.inWidth, ci]),
        );
      }
      const dilated = dilate(ops, dy, sh, sw); // [B, OH·sh, OW·sw, Co]
      const top = fh - 1 - padInfo.top;
      const left = fw - 1 - padInfo.left;
      const bottom = info.inHeight + fh - 1 - top - info.outHeight * sh;
      const right = info.inWidth + fw - 1 - left - info.outWidth * sw;
      const padded = ops.padOrCrop(dilated, [
        [top, bottom],
        [left, right],
      ]);
      const flipped = ops.transpose(ops.reverse(filter, [0, 1]), [0, 1, 3, 2]); // [fH, fW, Co, Ci]
      return ops.finish(ops.conv2d(padded, flipped, { strides: [1, 1], dilations: [1, 1] }));
    } catch (e) {
      ops.disposeAll();
      throw e;
    }
  };
}
