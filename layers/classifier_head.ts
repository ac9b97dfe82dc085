import * as tf from "@tensorflow/tfjs";
import type { SymbolicTensor } from "../core/tf_types.ts";
import { inChannels } from "./conv_bn_act.ts";
import { DEFAULT_INIT, type InitScheme, layerInitializers } from "./init.ts";
import { SeededDropout } from "./seeded_dropout.ts";

/** Options of {@linkcode classifierHead}. */
export interface ClassifierHeadOptions {
  /** Number of classes. */
  readonly classes: number;
  /** Dropout rate before the dense layer (paper: 0.5). @default 0.5 */
  readonly dropout?: number;
  /** Seed of the dropout masks and the dense initialiser. @default 0 */
  readonly seed?: number;
  /** Initialisers of the dense layer. @default "he" (glorot-uniform, zero bias) */
  readonly init?: InitScheme;
}

/**
 * Global average pooling → dropout → dense softmax, named `pool`, `dropout`
 * and `predictions`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { classifierHead } from "./classifier_head.ts";
 * const x = tf.input({ shape: [4, 4, 64] });
 * console.log(classifierHead(x, { classes: 10 }).shape); // [null, 10]
 * ```
 */
export function classifierHead(
  x: SymbolicTensor,
  options: ClassifierHeadOptions,
): SymbolicTensor {
  const { classes, dropout = 0.5, seed = 0, init = DEFAULT_INIT } = options;
  if (!Number.isInteger(classes) || classes < 2) {
    throw new RangeError(
      `Cannot build the classifier head: 'classes' must be an integer ≥ 2, got ${classes}`,
    );
  }
  let y = tf.layers.globalAveragePooling2d({ name: "pool" }).apply(x) as SymbolicTensor;
  if (dropout > 0) {
    y = new SeededDropout({ rate: dropout, seed, name: "dropout" }).apply(y) as SymbolicTensor;
  }
  return tf.layers.dense({
    units: classes,
    activation: "softmax",
    ...layerInitializers(init, "dense", inChannels(y), seed),
    name: "predictions",
  }).apply(y) as SymbolicTensor;
}
