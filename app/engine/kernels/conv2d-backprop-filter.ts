/**
 * Conv2DBackpropFilter (the weight gradient of conv2d) expressed as one forward Conv2D, so a
 * backend whose Conv2D is fast (XNNPACK in the wasm backend) gets a fast weight gradient too.
 *
 * For NHWC input x [B, H, W, Ci] padded to xp, output gradient dy [B, OH, OW, Co], strides (sh, sw):
 *
 *   dW[kh, kw, ci, co] = Σ_{b, oh, ow} xp[b, kh + sh·oh, kw + sw·ow, ci] · dy[b, oh, ow, co]
 *
 * Read ci as the batch axis and b as the channel axis: with X' = transpose(xp) [Ci, Hp, Wp, B]
 * and F' = transpose(dy) [OH, OW, B, Co] this is exactly a stride-1 conv2d of X' with filter F'
 * dilated by (sh, sw), whose [Ci, fH, fW, Co] output transposes to dW. xp is cropped to the
 * (OH − 1)·sh + fH rows (and columns) the forward conv touched, so the output is exactly fH x fW.
 * Supports 'same' / 'valid' / explicit padding, any strides, dilation 1, NHWC.
 */
import * as tf from '@tensorflow/tfjs';
import { dims4, KernelOps, requireInput } from './kernel-ops';

export function conv2DBackpropFilterViaConv2D(backendName: string): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const x = requireInput(inputs, 'x', 'Conv2DBackpropFilter');
    const dy = requireInput(inputs, 'dy', 'Conv2DBackpropFilter');
    const { strides, pad, dataFormat, dimRoundingMode, filterShape } =
      attrs as unknown as tf.Conv2DBackpropFilterAttrs;
    if (dataFormat !== undefined && dataFormat !== 'NHWC') {
      throw new Error(
        `Conv2DBackpropFilter on '${backendName}' supports NHWC only (got ${dataFormat}).`,
      );
    }
    const info = tf.backend_util.computeConv2DInfo(
      dims4(x.shape, 'Conv2DBackpropFilter x'),
      filterShape,
      strides,
      1,
      pad,
      dimRoundingMode,
      false,
      'channelsLast',
    );
    const { filterHeight: fh, filterWidth: fw, strideHeight: sh, strideWidth: sw, padInfo } = info;
    const needH = (info.outHeight - 1) * sh + fh;
    const needW = (info.outWidth - 1) * sw + fw;
    const ops = new KernelOps(backend, backendName);
    try {
      const xp = ops.padOrCrop(x, [
        [padInfo.top, needH - info.inHeight - padInfo.top],
        [padInfo.left, needW - info.inWidth - padInfo.left],
      ]);
      const xT = ops.transpose(xp, [3, 1, 2, 0]); // [Ci, needH, needW, B]
      const dyT = ops.transpose(dy, [1, 2, 0, 3]); // [OH, OW, B, Co]
      const out = ops.conv2d(xT, dyT, { strides: [1, 1], dilations: [sh, sw] }); // [Ci, fH, fW, Co]
      return ops.finish(ops.transpose(out, [1, 2, 0, 3]));
    } catch (e) {
      ops.disposeAll();
      throw e;
    }
  };
}
