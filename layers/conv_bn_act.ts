import * as tf from "@tensorflow/tfjs";
import { batchNormLayer } from "./batch_norm.ts";
import { conv2dLayer } from "./conv2d.ts";
import type { SymbolicTensor } from "../core/tf_types.ts";
import { DEFAULT_INIT, type InitScheme, layerInitializers } from "./init.ts";

export { batchNormLayer };

/** Options of {@linkcode convBnAct}. */
export interface ConvBnActOptions {
  /** Output channels. */
  readonly filters: number;
  /** Square kernel size. @default 3 */
  readonly kernelSize?: number;
  /** Stride. @default 1 */
  readonly strides?: number;
  /** Padding. @default "same" */
  readonly padding?: "same" | "valid";
  /** Batch normalisation after the convolution. @default true */
  readonly batchNorm?: boolean;
  /** Activation after normalisation, or null for none. @default "relu" */
  readonly activation?: "relu" | null;
  /** Convolution bias. @default !batchNorm (batch norm's beta makes it redundant) */
  readonly useBias?: boolean;
  /** 2×2 max pooling (stride 2) after the activation. @default false */
  readonly pool?: boolean;
  /** Prefix of the layer names: `${name}_conv`, `_bn`, `_relu`, `_pool`. */
  readonly name: string;
  /** Seed of the kernel initialiser. @default 0 */
  readonly seed?: number;
  /** Initialisers and batch-norm settings. @default "he" */
  readonly init?: InitScheme;
}

/**
 * Convolution → batch norm → activation (→ max pooling), with deterministic
 * layer names so probes can address each one.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { convBnAct } from "./conv_bn_act.ts";
 * const x = tf.input({ shape: [32, 32, 3] });
 * const y = convBnAct(x, { filters: 16, name: "stem", pool: true });
 * console.log(y.shape); // [null, 16, 16, 16]
 * ```
 */
export function convBnAct(x: SymbolicTensor, options: ConvBnActOptions): SymbolicTensor {
  const {
    filters,
    kernelSize = 3,
    strides = 1,
    padding = "same",
    batchNorm = true,
    activation = "relu",
    pool = false,
    name,
    seed = 0,
    init = DEFAULT_INIT,
  } = options;
  if (!Number.isInteger(filters) || filters < 1) {
    throw new RangeError(
      `Cannot build "${name}": 'filters' must be a positive integer, got ${filters}`,
    );
  }
  let y = conv2dLayer({
    filters,
    kernelSize,
    strides,
    padding,
    useBias: options.useBias ?? !batchNorm,
    ...layerInitializers(init, "conv", inChannels(x) * kernelSize ** 2, seed),
    name: `${name}_conv`,
  }).apply(x) as SymbolicTensor;
  if (batchNorm) y = batchNormLayer(`${name}_bn`, init).apply(y) as SymbolicTensor;
  if (activation) y = tf.layers.reLU({ name: `${name}_relu` }).apply(y) as SymbolicTensor;
  if (pool) {
    y = tf.layers.maxPooling2d({ poolSize: 2, strides: 2, name: `${name}_pool` })
      .apply(y) as SymbolicTensor;
  }
  return y;
}

/** Channels of an NHWC (or NC) tensor: the fan-in of a 1×1 kernel over it. */
export function inChannels(x: SymbolicTensor): number {
  return x.shape[x.shape.length - 1] as number;
}
