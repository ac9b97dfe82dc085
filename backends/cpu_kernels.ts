/**
 * Kernels skiplab registers on tfjs's pure-JavaScript `cpu` backend, where its
 * own are too slow to train on: tfjs 4.22's Conv2DBackpropFilter walks tensor
 * buffers index by index (~0.01 GFLOP/s here), which made one step of a
 * 4-filter ResNet take seconds.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Conv2DInfo } from "../core/tf_types.ts";

type CpuBackend = tf.KernelBackend & {
  data: { get(id: tf.DataId): { values: tf.backend_util.BackendValues } };
  makeTensorInfo(
    shape: number[],
    dtype: tf.DataType,
    values?: tf.backend_util.BackendValues,
  ): tf.TensorInfo;
};

interface Conv2DBackpropFilterAttrs {
  strides: [number, number] | number;
  pad: "valid" | "same" | number | tf.backend_util.ExplicitPadding;
  dataFormat: "NHWC" | "NCHW";
  dimRoundingMode?: "floor" | "round" | "ceil";
  filterShape: [number, number, number, number];
}

let original: tf.KernelConfig | undefined;

/**
 * dW[kh,kw,ci,co] = Σ_{b,oh,ow} x[b, oh·s+kh−pt, ow·s+kw−pl, ci] · dy[b,oh,ow,co],
 * on flat arrays with the output-channel loop innermost and contiguous.
 */
export function conv2dBackpropFilterNhwc(
  x: Float32Array,
  dy: Float32Array,
  info: Conv2DInfo,
): Float32Array {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const { top, left } = info.padInfo;
  const dw = new Float32Array(kh * kw * inChannels * outChannels);
  for (let b = 0; b < batchSize; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      for (let ow = 0; ow < outWidth; ow++) {
        const dyOff = ((b * outHeight + oh) * outWidth + ow) * outChannels;
        for (let r = 0; r < kh; r++) {
          const ih = oh * sh + r - top;
          if (ih < 0 || ih >= inHeight) continue;
          for (let c = 0; c < kw; c++) {
            const iw = ow * sw + c - left;
            if (iw < 0 || iw >= inWidth) continue;
            const xOff = ((b * inHeight + ih) * inWidth + iw) * inChannels;
            const wOff = (r * kw + c) * inChannels * outChannels;
            for (let ci = 0; ci < inChannels; ci++) {
              const xv = x[xOff + ci];
              if (xv === 0) continue; // after ReLU, half the inputs are zero
              const o = wOff + ci * outChannels;
              for (let co = 0; co < outChannels; co++) dw[o + co] += xv * dy[dyOff + co];
            }
          }
        }
      }
    }
  }
  return dw;
}

/**
 * Replaces the cpu backend's Conv2DBackpropFilter by
 * {@linkcode conv2dBackpropFilterNhwc} for NHWC without dilation (the layout
 * every skiplab model uses), keeping tfjs's kernel for anything else.
 * Idempotent; returns whether it registered now.
 *
 * @example
 * ```ts
 * import { registerCpuKernels } from "./cpu_kernels.ts";
 * registerCpuKernels();
 * ```
 */
export function registerCpuKernels(): boolean {
  if (original) return false;
  original = tf.getKernel("Conv2DBackpropFilter", "cpu");
  if (!original) return false;
  const fallback = original.kernelFunc;
  tf.unregisterKernel("Conv2DBackpropFilter", "cpu");
  tf.registerKernel({
    kernelName: "Conv2DBackpropFilter",
    backendName: "cpu",
    kernelFunc: (args) => {
      const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
      const a = args.attrs as unknown as Conv2DBackpropFilterAttrs;
      if (a.dataFormat === "NCHW" || x.dtype !== "float32" || dy.dtype !== "float32") {
        return fallback(args);
      }
      const backend = args.backend as CpuBackend;
      const info = tf.backend_util.computeConv2DInfo(
        x.shape as [number, number, number, number],
        a.filterShape,
        a.strides,
        1,
        a.pad,
        a.dimRoundingMode,
        false,
        "channelsLast",
      );
      const xv = backend.data.get(x.dataId).values as Float32Array;
      const dyv = backend.data.get(dy.dataId).values as Float32Array;
      return backend.makeTensorInfo(
        a.filterShape,
        "float32",
        conv2dBackpropFilterNhwc(xv, dyv, info),
      );
    },
  });
  return true;
}
