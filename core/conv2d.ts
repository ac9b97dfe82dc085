/**
 * The 2-D convolution skiplab's layers run: tfjs's own `Conv2D` and
 * `FusedConv2D` kernels, called so that the backward pass can free memory
 * as it goes.
 *
 * tfjs's `fused.conv2d` (what `tf.layers.conv2d` calls) records its gradient
 * as a `customGrad` closure that saves the input, the filter and the output,
 * computes every input gradient at once (the first layer's image gradient,
 * which nothing reads, included) and, like every tape entry, keeps its saved
 * tensors and incoming gradient until the whole backward pass ends. Here a
 * convolution is one kernel with a gradient in tfjs's registry: `Conv2D`'s own
 * without bias, else the `FusedConv2D` gradient below. Registry gradients are
 * lazy per input (tfjs calls only those that lead to a variable) and are what
 * a backend may release early (the native backend does,
 * `backends/native/_release.ts`).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Tensor, Tensor4D } from "./tf_types.ts";

/** Geometry and bias of {@linkcode conv2d}. */
export interface Conv2DOptions {
  readonly strides: readonly [number, number];
  readonly pad: "same" | "valid";
  /** @default [1, 1] */
  readonly dilations?: readonly [number, number];
  /** Per-output-channel bias. */
  readonly bias?: Tensor | null;
}

const FUSED = "FusedConv2D";

/**
 * The gradient of tfjs's `FusedConv2D` kernel with a bias and no activation,
 * as {@linkcode conv2d} runs it (tfjs registers none: its fused op
 * differentiates through `customGrad`, whose inner kernel is not recorded).
 */
const fusedGradient: tf.GradConfig = {
  kernelName: FUSED,
  inputsToSave: ["x", "filter"],
  gradFunc: (dy, saved, attrs) => {
    const [x, filter] = saved as [Tensor4D, Tensor4D];
    const a = attrs as unknown as tf.FusedConv2DAttrs;
    if ((a.activation ?? "linear") !== "linear") {
      throw new Error(
        `${FUSED}'s registered gradient is for a bias without activation, got '${a.activation}'`,
      );
    }
    const d = dy as Tensor4D;
    const conv = { strides: a.strides, pad: a.pad, dataFormat: a.dataFormat };
    const run = (kernel: string, inputs: tf.NamedTensorMap, extra: Record<string, unknown>) =>
      tf.engine().runKernel(kernel, inputs, {
        ...conv,
        dimRoundingMode: a.dimRoundingMode,
        ...extra,
      } as unknown as tf.NamedAttrMap) as Tensor;
    return {
      x: () => run("Conv2DBackpropInput", { dy: d, filter }, { inputShape: x.shape }),
      filter: () => run("Conv2DBackpropFilter", { x, dy: d }, { filterShape: filter.shape }),
      bias: () => tf.sum(d, [0, 1, 2]),
    };
  },
};

// Registered on import, before a backend wraps registry gradients (the native
// backend imports this module): once, and never over a gradient already there.
if (tf.getGradient(FUSED) === undefined) tf.registerGradient(fusedGradient);

/**
 * An NHWC float32 convolution with an HWIO `filter` and an optional bias, as
 * one kernel with a registry gradient (see the module notes); the values of
 * `tf.fused.conv2d`. Dilations other than 1 have no gradient in tfjs.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { conv2d } from "./conv2d.ts";
 * const y = conv2d(tf.ones([1, 4, 4, 2]), tf.ones([3, 3, 2, 5]), {
 *   strides: [1, 1],
 *   pad: "same",
 *   bias: tf.ones([5]),
 * });
 * console.log(y.shape); // [1, 4, 4, 5]
 * ```
 */
export function conv2d(x: Tensor4D, filter: Tensor4D, options: Conv2DOptions): Tensor4D {
  const { strides, pad, dilations = [1, 1], bias = null } = options;
  const attrs = { strides, pad, dataFormat: "NHWC", dilations, dimRoundingMode: undefined };
  const inputs: tf.NamedTensorMap = bias === null ? { x, filter } : { x, filter, bias };
  return tf.engine().runKernel(
    bias === null ? "Conv2D" : FUSED,
    inputs,
    (bias === null ? attrs : { ...attrs, activation: "linear" }) as unknown as tf.NamedAttrMap,
  ) as Tensor4D;
}
