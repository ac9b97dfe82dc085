/**
 * The table of kernels the native backend overrides, by tfjs kernel name.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { optimizerKernels } from "./_adam.ts";
import { batchNormKernels } from "./_batchnorm.ts";
import { convKernels } from "./_conv.ts";
import { gradKernels } from "./_grad_kernels.ts";
import { elementwiseKernels } from "./_elementwise.ts";
import { eltwiseKernels } from "./_eltwise.ts";
import { matMulKernels } from "./_matmul.ts";
import { poolKernels } from "./_pool.ts";
import { reduceKernels } from "./_reduce.ts";
import { shapeRecordingKernels } from "./_saves.ts";
import { slicePadKernels } from "./_slice_pad.ts";
import type { Dnnl } from "./_ffi.ts";
import type { KernelArgs } from "./_kernel_util.ts";

/** A native kernel function. */
export type NativeKernel = (args: KernelArgs) => tf.TensorInfo | tf.TensorInfo[];

/** All native overrides, bound to one opened oneDNN. */
export function nativeKernels(dnnl: Dnnl): Record<string, NativeKernel> {
  // JS kernels for small tensors, wrapped by oneDNN paths for large ones.
  const js = {
    ...elementwiseKernels(),
    ...reduceKernels(),
    ...gradKernels(),
    ...slicePadKernels(),
  };
  const eltwise = eltwiseKernels(dnnl, js);
  return {
    ...js,
    ...eltwise,
    ...convKernels(dnnl),
    ...matMulKernels(dnnl),
    ...poolKernels(dnnl),
    ...batchNormKernels(dnnl),
    ...optimizerKernels(dnnl),
    ...shapeRecordingKernels(eltwise.Add),
  };
}
