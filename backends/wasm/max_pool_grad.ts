/**
 * MaxPoolGrad for tfjs-backend-wasm. The kernel wasm 4.22.0 ships (and its
 * MaxPoolWithArgmax) routes a window's gradient to flat index 0 when every
 * value in the window is negative, so gradients are wrong after batch norm
 * and wherever ReLU leaves a window at zero. skiplab replaces it with a
 * composition of wasm kernels that matches the cpu backend, ties included
 * (the first maximum in row-major window order takes the gradient):
 *
 *   for each window tap (i, j): m = (x at tap == y) and no earlier tap matched;
 *                               dx at tap += m · dy
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import * as ops from "./ops.ts";

/** The kernel function, registered for "wasm" by registerWasmGradientKernels(). */
export function maxPoolGradWasm(
  args: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: tf.NamedAttrMap },
): tf.TensorInfo {
  const { backend } = args;
  const { dy, input: x, output: y } = args.inputs as unknown as Record<string, tf.TensorInfo>;
  const { filterSize, strides, pad, dimRoundingMode } = args
    .attrs as unknown as tf.MaxPoolGradAttrs;
  const info = tf.backend_util.computePool2DInfo(
    x.shape as [number, number, number, number],
    filterSize,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  const { batchSize: b, inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow } =
    info;
  const { strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw } = info;
  const { top, left } = info.padInfo;
  // Room for every tap and for the zeros the stride spreading appends.
  const hAcc = Math.max(top + h, (oh - 1) * sh + kh) + sh;
  const wAcc = Math.max(left + w, (ow - 1) * sw + kw) + sw;

  const temps: tf.TensorInfo[] = [];
  const keep = (t: tf.TensorInfo): tf.TensorInfo => (temps.push(t), t);
  try {
    const xp = keep(ops.padWith(backend, x, [[0, 0], [top, hAcc - top - h], [
      left,
      wAcc - left - w,
    ], [0, 0]], -Infinity));
    let claimed: tf.TensorInfo | null = null; // 1 where an earlier tap took the gradient
    let acc: tf.TensorInfo | null = null;
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const end = [b, i + (oh - 1) * sh + 1, j + (ow - 1) * sw + 1, c];
        const tap = keep(ops.stridedSlice(backend, xp, [0, i, j, 0], end, [1, sh, sw, 1]));
        const hit = keep(ops.cast(backend, keep(ops.binary(backend, "Equal", tap, y)), "float32"));
        let mask = hit;
        if (claimed !== null) {
          // hit · (1 − claimed), with hit and claimed in {0, 1}
          const both = keep(ops.binary(backend, "Multiply", hit, claimed));
          mask = keep(ops.binary(backend, "Sub", hit, both));
          claimed = keep(ops.binary(backend, "Add", claimed, mask));
        } else {
          claimed = hit;
        }
        const part = keep(ops.binary(backend, "Multiply", mask, dy));
        // Spread [B, OH, OW, C] to the tap's rows i + sh·r and columns j + sw·q.
        const p6 = keep(ops.reshape(backend, part, [b, oh, 1, ow, 1, c]));
        const s6 = keep(ops.pad(backend, p6, [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [
          0,
          0,
        ]]));
        const spread = keep(ops.reshape(backend, s6, [b, oh * sh, ow * sw, c]));
        const placed = keep(ops.pad(backend, spread, [[0, 0], [i, hAcc - i - oh * sh], [
          j,
          wAcc - j - ow * sw,
        ], [0, 0]]));
        acc = acc === null ? placed : keep(ops.binary(backend, "Add", acc, placed));
      }
    }
    return ops.slice(backend, acc!, [0, top, left, 0], [b, h, w, c]);
  } finally {
    ops.release(backend, ...temps);
  }
}
