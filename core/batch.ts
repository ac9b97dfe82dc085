/**
 * The batch type that data pipelines produce and the trainer and plugins consume.
 * @module
 */
import type { Tensor2D, Tensor4D } from "./tf_types.ts";

/** A batch of images (NHWC, normalised float32) and one-hot labels. */
export interface Batch {
  /** Images, shape [n, height, width, channels]. */
  readonly xs: Tensor4D;
  /** One-hot labels, shape [n, classes]. */
  readonly ys: Tensor2D;
}
