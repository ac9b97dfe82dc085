/**
 * The table of kernels the native backend overrides, by tfjs kernel name.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { optimizerKernels } from "./kernels/adam_js.ts";
import { batchNormKernels } from "./kernels/batch_norm.ts";
import { convKernels } from "./kernels/conv2d.ts";
import { gradKernels } from "./gradients/relu_square_js.ts";
import { elementwiseKernels } from "./kernels/binary_js.ts";
import { eltwiseKernels } from "./kernels/binary_onednn.ts";
import { matMulKernels } from "./kernels/matmul.ts";
import { poolKernels } from "./kernels/pool.ts";
import { reduceKernels } from "./kernels/reduce_js.ts";
import { shapeRecordingKernels } from "./memory/saves.ts";
import { slicePadKernels } from "./kernels/slice_pad.ts";
import type { Dnnl } from "./onednn/v2/ffi.ts";
import type { KernelArgs } from "./kernels/kernel_args.ts";

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
