/**
 * The gradients of skiplab's batch-norm training kernels
 * ({@link BATCH_NORM_TRAINING_KERNEL} and, with the ReLU fused,
 * {@link BATCH_NORM_RELU_TRAINING_KERNEL}; `layers/batch_norm.ts` in
 * training): one call of {@link BATCH_NORM_TRAINING_GRAD_KERNEL}, whose one
 * oneDNN backward primitive (`../kernels/batch_norm.ts`) includes the paths
 * through the batch's mean and variance, and the fused ReLU's mask. Only the
 * native backend has these kernels.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  BATCH_NORM_RELU_TRAINING_KERNEL,
  BATCH_NORM_TRAINING_GRAD_KERNEL,
  BATCH_NORM_TRAINING_KERNEL,
} from "../kernels/batch_norm.ts";

/**
 * Registers the gradients of {@link BATCH_NORM_TRAINING_KERNEL} and
 * {@link BATCH_NORM_RELU_TRAINING_KERNEL} (native kernels only).
 */
export function installBatchNormTrainingGradient(): void {
  tf.registerGradient({
    kernelName: BATCH_NORM_TRAINING_KERNEL,
    inputsToSave: ["x", "scale"],
    outputsToSave: [false, true, true],
    gradFunc: (dys, saved, attrs) => {
      const [dy, dmean, dvariance] = dys as tf.Tensor[];
      const [x, scale, mean, variance] = saved;
      return grads({ dy, x, mean, variance, scale, dmean, dvariance }, attrs);
    },
  });
  tf.registerGradient({
    kernelName: BATCH_NORM_RELU_TRAINING_KERNEL,
    inputsToSave: ["x", "scale"],
    outputsToSave: [true, true, true, true],
    gradFunc: (dys, saved, attrs) => {
      const [dy, dmean, dvariance] = dys as tf.Tensor[];
      const [x, scale, y, mean, variance, mask] = saved;
      const common = { x, mean, variance, scale, dmean, dvariance };
      // An empty mask: the kernel ran unfused (a NaN about), so the ReLU's gradient is tfjs's.
      return mask.size > 0
        ? grads({ ...common, dy, mask }, attrs)
        : grads({ ...common, dy: tf.mul(dy, tf.step(y)) }, attrs);
    },
  });
}

function grads(inputs: tf.NamedTensorMap, attrs: tf.NamedAttrMap | undefined) {
  const [dx, dScale, dOffset] = tf.engine().runKernel(
    BATCH_NORM_TRAINING_GRAD_KERNEL,
    inputs,
    attrs,
  ) as tf.Tensor[];
  return { x: () => dx, scale: () => dScale, offset: () => dOffset };
}
