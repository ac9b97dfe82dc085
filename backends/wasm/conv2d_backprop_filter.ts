/**
 * Conv2DBackpropFilter for tfjs-backend-wasm, which ships without it (so a
 * CNN cannot train on wasm). Built only from wasm kernels (Transpose, PadV2,
 * Slice/StridedSlice, BatchMatMul, Pack), as a sum over filter offsets:
 *
 *   dW[i, j] = xᵢⱼᵀ · dy,   xᵢⱼ = the padded input seen by filter tap (i, j)
 *
 * with x laid out as [C, B·H·W] so each term is one XNNPACK matMul whose
 * right operand, dy, is the same tensor for every tap (XNNPACK packs it once).
 * Each xᵢⱼ is a contiguous shift of the flattened, padded input (split into
 * stride phases first), so it is a cheap row slice, not a strided gather.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import * as ops from "./ops.ts";

/** The kernel function, registered for "wasm" by registerWasmGradientKernels(). */
export function conv2dBackpropFilterWasm(
  args: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: tf.NamedAttrMap },
): tf.TensorInfo {
  const { backend } = args;
  const { x, dy } = args.inputs as unknown as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const attrs = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  const channelsLast = attrs.dataFormat !== "NCHW";
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    attrs.filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    channelsLast ? "channelsLast" : "channelsFirst",
  );
  const { batchSize: b, inChannels: c, outChannels: co, outHeight: oh, outWidth: ow } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const { top, left } = info.padInfo;

  // The padded input is cut into sh×sw phases (rows ≡ a mod sh, columns ≡ b
  // mod sw), each a [C, B, Hq, Wq] grid; tap (i, j) reads phase (i % sh, j % sw)
  // shifted by (⌊i/sh⌋, ⌊j/sw⌋). Hq, Wq leave room for the largest shift.
  const hq = Math.max(Math.ceil((top + info.inHeight) / sh), oh + Math.floor((kh - 1) / sh));
  const wq = Math.max(Math.ceil((left + info.inWidth) / sw), ow + Math.floor((kw - 1) / sw));
  const nq = b * hq * wq;
  const rowPad: [number, number] = [top, hq * sh - top - info.inHeight];
  const colPad: [number, number] = [left, wq * sw - left - info.inWidth];

  const temps: tf.TensorInfo[] = [];
  const keep = (t: tf.TensorInfo): tf.TensorInfo => (temps.push(t), t);
  try {
    let phases: tf.TensorInfo; // [sh, sw, C, B, Hq, Wq]
    if (channelsLast) {
      const xp = keep(ops.pad(backend, x, [[0, 0], rowPad, colPad, [0, 0]]));
      const x6 = keep(ops.reshape(backend, xp, [b, hq, sh, wq, sw, c]));
      phases = keep(ops.transpose(backend, x6, [2, 4, 5, 0, 1, 3]));
    } else {
      const xp = keep(ops.pad(backend, x, [[0, 0], [0, 0], rowPad, colPad]));
      const x6 = keep(ops.reshape(backend, xp, [b, c, hq, sh, wq, sw]));
      phases = keep(ops.transpose(backend, x6, [3, 5, 1, 0, 2, 4]));
    }
    // Shifted reads may run past the last image: pad the flat columns.
    const flat = keep(ops.reshape(backend, phases, [sh * sw * c, nq]));
    const shiftMax = Math.floor((kh - 1) / sh) * wq + Math.floor((kw - 1) / sw);
    const xe = keep(ops.pad(backend, flat, [[0, 0], [0, shiftMax]]));

    // dy on the phase grid, zero outside its OH×OW corner, so reads that wrap
    // past a row or image end multiply zeros.
    const dy4 = channelsLast ? dy : keep(ops.transpose(backend, dy, [0, 2, 3, 1]));
    const dyp = keep(ops.pad(backend, dy4, [[0, 0], [0, hq - oh], [0, wq - ow], [0, 0]]));
    const dy2 = keep(ops.reshape(backend, dyp, [nq, co]));

    const taps: tf.TensorInfo[] = [];
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const phase = (i % sh) * sw + (j % sw);
        const shift = Math.floor(i / sh) * wq + Math.floor(j / sw);
        const xs = keep(ops.slice(backend, xe, [phase * c, shift], [c, nq]));
        taps.push(keep(ops.matMul(backend, xs, dy2)));
      }
    }
    const stacked = taps.length === 1 ? taps[0] : keep(ops.stack(backend, taps));
    return ops.reshape(backend, stacked, [kh, kw, c, co]);
  } finally {
    ops.release(backend, ...temps);
  }
}
