/**
 * The table of kernels the native backend overrides, by tfjs kernel name.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { convKernels } from "./_conv.ts";
import { elementwiseKernels } from "./_elementwise.ts";
import { matMulKernels } from "./_matmul.ts";
import { poolKernels } from "./_pool.ts";
import { reduceKernels } from "./_reduce.ts";
import type { Dnnl } from "./_ffi.ts";
import type { KernelArgs } from "./_kernel_util.ts";

/** A native kernel function. */
export type NativeKernel = (args: KernelArgs) => tf.TensorInfo | tf.TensorInfo[];

/** All native overrides, bound to one opened oneDNN. */
export function nativeKernels(dnnl: Dnnl): Record<string, NativeKernel> {
  return {
    ...elementwiseKernels(),
    ...reduceKernels(),
    ...convKernels(dnnl),
    ...matMulKernels(dnnl),
    ...poolKernels(dnnl),
  };
}
