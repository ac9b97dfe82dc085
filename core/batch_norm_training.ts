/**
 * The contract of the batch-norm training kernel, shared by the layer that
 * calls it (layers/batch_norm.ts) and the backends that implement it
 * (backends/native).
 * @module
 */

/**
 * Kernel normalising an NHWC float32 batch with its own statistics: inputs `x`,
 * `scale`, `offset` (per channel), attribute `varianceEpsilon`; outputs
 * `[y, mean, variance]` (variance divided by the count, as `tf.moments`). Given
 * also `movingMean` and `movingVariance` and the attribute `momentum`, it
 * returns their updates as two more outputs, exactly as tfjs's layer computes
 * them in float32 ({@link movingAverage}), which saves a training step six
 * small ops per layer. The backend that registers it also registers its gradient.
 */
export const BATCH_NORM_TRAINING_KERNEL = "SkiplabBatchNormTraining";

/**
 * {@link BATCH_NORM_TRAINING_KERNEL} with the ReLU after it in the same pass:
 * the same inputs and attributes; outputs `[relu(y), mean, variance, mask]`
 * and, given the moving statistics, their updates. `mask` is opaque: it
 * records where the ReLU passed, for the gradient alone. The output is the
 * unfused kernel's then ReLU's, NaN kept where `y` has one, as tfjs's ReLU
 * keeps it (a backend may recompute unfused for that, the mask then empty).
 * The backend that registers it also registers its gradient. It spares a
 * training step one activation-sized pass forward and one backward per batch
 * norm a ReLU follows: on 2 vCPUs of an AMD EPYC (AVX2), baseline_cnn trained
 * 8–11% faster.
 */
export const BATCH_NORM_RELU_TRAINING_KERNEL = "SkiplabBatchNormReluTraining";

/**
 * tfjs's moving-average update `moving − (moving − batch)·(1 − momentum)`
 * with each operation rounded to float32, as its Sub and Mul kernels round:
 * the new values, in `out`.
 */
export function movingAverage(
  moving: Float32Array,
  batch: Float32Array,
  momentum: number,
  out: Float32Array,
): Float32Array {
  const f = Math.fround, rate = f(1 - momentum);
  for (let i = 0; i < out.length; i++) out[i] = moving[i] - f(f(moving[i] - batch[i]) * rate);
  return out;
}
