/**
 * The contract of the batch-norm training kernel, shared by the layer that
 * calls it (layers/batch_norm.ts) and the backends that implement it
 * (backends/native).
 * @module
 */

/**
 * Kernel normalising an NHWC float32 batch with its own statistics: inputs `x`,
 * `scale`, `offset` (per channel), attribute `varianceEpsilon`; outputs
 * `[y, mean, variance]` (variance divided by the count, as `tf.moments`). The
 * backend that registers it also registers its gradient.
 */
export const BATCH_NORM_TRAINING_KERNEL = "SkiplabBatchNormTraining";
