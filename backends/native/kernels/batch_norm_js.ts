/**
 * FusedBatchNorm's forward pass in one JavaScript loop, for inputs the oneDNN
 * kernel of `batch_norm.ts` does not take (not rank 4): per-channel
 * statistics on the last axis, any rank, instead of the cpu backend's
 * broadcasting index arithmetic. Other dtypes and shapes go to the cpu kernel.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { allFloat32, alloc, cpuKernel1, type KernelArgs, output, values } from "./kernel_args.ts";

/** FusedBatchNorm with per-channel statistics on the last axis, in one JS loop (any rank). */
export function fusedBatchNormJs(args: KernelArgs): tf.TensorInfo {
  const { x, mean, variance, offset, scale } = args.inputs;
  const eps = (args.attrs as unknown as tf.FusedBatchNormAttrs).varianceEpsilon ?? 0.001;
  const c = mean.shape.reduce((p, v) => p * v, 1);
  const xv = values(args.backend, x);
  const parts = [mean, variance, offset, scale].filter((t) => t !== undefined);
  const lastDim = x.shape[x.shape.length - 1];
  if (
    !allFloat32(x, ...parts) || xv.length === 0 || c !== lastDim ||
    parts.some((t) => t.shape.reduce((p, v) => p * v, 1) !== c)
  ) {
    return cpuKernel1("FusedBatchNorm", args);
  }
  const m = values(args.backend, mean), v = values(args.backend, variance);
  const off = offset ? values(args.backend, offset) : new Float32Array(c);
  const s = scale ? values(args.backend, scale) : new Float32Array(c).fill(1);
  const inv = new Float64Array(c);
  for (let j = 0; j < c; j++) inv[j] = s[j] / Math.sqrt(v[j] + eps);
  const out = alloc(args.backend, xv.length);
  for (let o = 0; o < xv.length; o += c) {
    for (let j = 0; j < c; j++) out[o + j] = off[j] + (xv[o + j] - m[j]) * inv[j];
  }
  return output(args.backend, [...x.shape], out);
}

/** Builds the JS batch-norm kernel (no native library needed). */
export function batchNormJsKernels(): Record<string, (args: KernelArgs) => tf.TensorInfo> {
  return { FusedBatchNorm: fusedBatchNormJs };
}
