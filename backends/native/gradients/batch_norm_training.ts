/**
 * The gradient of skiplab's batch-norm training kernel
 * ({@link BATCH_NORM_TRAINING_KERNEL}, `layers/batch_norm.ts` in training):
 * one call of {@link BATCH_NORM_TRAINING_GRAD_KERNEL}, whose one oneDNN
 * backward primitive (`../kernels/batch_norm.ts`) includes the paths through
 * the batch's mean and variance. Only the native backend has these kernels.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  BATCH_NORM_TRAINING_GRAD_KERNEL,
  BATCH_NORM_TRAINING_KERNEL,
} from "../kernels/batch_norm.ts";

/** Registers the gradient of {@link BATCH_NORM_TRAINING_KERNEL} (native kernels only). */
export function installBatchNormTrainingGradient(): void {
  tf.registerGradient({
    kernelName: BATCH_NORM_TRAINING_KERNEL,
    inputsToSave: ["x", "scale"],
    outputsToSave: [false, true, true],
    gradFunc: (dys, saved, attrs) => {
      const [dy, dmean, dvariance] = dys as tf.Tensor[];
      const [x, scale, mean, variance] = saved;
      const [dx, dScale, dOffset] = tf.engine().runKernel(
        BATCH_NORM_TRAINING_GRAD_KERNEL,
        { dy, x, mean, variance, scale, dmean, dvariance },
        attrs,
      ) as tf.Tensor[];
      return { x: () => dx, scale: () => dScale, offset: () => dOffset };
    },
  });
}
