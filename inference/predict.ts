import * as tf from "@tensorflow/tfjs";
import type { LayersModel } from "../core/tf_types.ts";
import { normalizePixels } from "../data/pipeline.ts";
import { forwardOf } from "../train/forward.ts";
import type { RgbImage } from "./image.ts";
import { resizeImage } from "./resize.ts";

/** Options of {@linkcode predict}. */
export interface PredictOptions {
  /** Classes to report per image, most probable first. @default 5 (or fewer classes) */
  readonly top?: number;
  /** Name of each output class. @default `class 0`, `class 1`, … */
  readonly classNames?: readonly string[];
  /** Images per forward pass. @default 64 */
  readonly batchSize?: number;
}

/** One of the most probable classes of an image. */
export interface ClassScore {
  /** Output index of the class. */
  readonly index: number;
  /** Its name. */
  readonly className: string;
  /** Its softmax probability, in [0, 1]. */
  readonly probability: number;
}

/** A model's answer for one image. */
export interface Prediction {
  /** The `top` most probable classes, most probable first. */
  readonly top: readonly ClassScore[];
  /** Probability of every class, in output order. */
  readonly probabilities: Float32Array;
}

/**
 * Classifies RGB images with a trained model in inference mode: each image is
 * resized to the model's input (see `resizeImage`) and normalised exactly as
 * the training pipeline normalises pixels. Tensors it makes are freed.
 *
 * @example
 * ```ts
 * import { buildModel, predict, resnetSpec } from "@skiplab/skiplab";
 * const model = buildModel(resnetSpec({ name: "tiny", layers: [1], width: 4 }), { seed: 1 });
 * const grey = { width: 64, height: 48, data: new Uint8Array(64 * 48 * 3).fill(128) };
 * const [p] = await predict(model, [grey], { top: 3 });
 * console.log(p.top.length, p.probabilities.length); // 3 10
 * model.dispose();
 * ```
 * @throws {RangeError} for a model that does not take 3-channel images, an
 *   invalid `top`, or class names that do not match the model's outputs.
 */
export async function predict(
  model: LayersModel,
  images: readonly RgbImage[],
  options: PredictOptions = {},
): Promise<Prediction[]> {
  const [, h, w, c] = model.inputs[0].shape as (number | null)[];
  const classes = (model.outputs[0].shape as number[]).at(-1)!;
  if (h === null || w === null || c !== 3) {
    throw new RangeError(
      `Cannot predict: the model must take [height, width, 3] images, got [${[h, w, c]}]`,
    );
  }
  const names = options.classNames ?? Array.from({ length: classes }, (_, i) => `class ${i}`);
  if (names.length !== classes) {
    throw new RangeError(
      `Cannot predict: 'classNames' must name the model's ${classes} classes, got ${names.length}`,
    );
  }
  const top = options.top ?? Math.min(5, classes);
  if (!Number.isInteger(top) || top < 1 || top > classes) {
    throw new RangeError(`Cannot predict: 'top' must be an integer in [1, ${classes}], got ${top}`);
  }
  const batchSize = options.batchSize ?? 64;
  const out: Prediction[] = [];
  // Batch norms folded into their convolutions (train/forward.ts).
  const forward = forwardOf(model);
  try {
    for (let start = 0; start < images.length; start += batchSize) {
      const batch = images.slice(start, start + batchSize);
      const pixels = new Uint8Array(batch.length * h * w * 3);
      batch.forEach((img, i) => pixels.set(resizeImage(img, w, h).data, i * h * w * 3));
      const probs = tf.tidy(() =>
        forward(tf.tensor4d(normalizePixels(pixels), [batch.length, h, w, 3]), false)
      );
      const all = await probs.data() as Float32Array;
      probs.dispose();
      for (let i = 0; i < batch.length; i++) {
        const p = all.slice(i * classes, (i + 1) * classes);
        const order = [...p.keys()].sort((a, b) => p[b] - p[a] || a - b).slice(0, top);
        out.push({
          top: order.map((index) => ({ index, className: names[index], probability: p[index] })),
          probabilities: p,
        });
      }
    }
  } finally {
    forward.release();
  }
  return out;
}
