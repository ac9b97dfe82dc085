/**
 * The convolution every skiplab block uses, and the layer that runs it.
 *
 * tfjs's `fused.conv2d` (what `tf.layers.conv2d` calls) records its gradient
 * as a `customGrad` closure. That closure saves the input, the filter and the
 * output, computes every input gradient at once (the first layer's image
 * gradient, which nothing reads, included) and, like every tape entry, keeps
 * what it saved and its incoming gradient until the whole backward pass ends.
 * {@linkcode conv2d} here is one kernel with a registry gradient instead
 * (`Conv2D`'s own without bias, else core/conv2d_gradient.ts): lazy per input,
 * and one the native backend frees as the backward pass goes. With the
 * forward pass that frees intermediates (train/forward.ts), resnet18's
 * training step at batch 64 holds at most 476 MB of tensors instead of 744.
 *
 * {@linkcode conv2dLayer} is a stock tfjs `Conv2D` layer (same class, config
 * and weights, so saved models load anywhere) whose call runs it. Inputs it
 * does not cover (channels-first, dilation, rank ≠ 4, an activation other
 * than linear or ReLU) take tfjs's own call.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { CONV2D_ADD_RELU_KERNEL } from "../core/conv2d_add_relu.ts";
import { FUSED_CONV2D_KERNEL, installFusedConv2dGradient } from "../core/conv2d_gradient.ts";
import type { Layer, Tensor, Tensor4D } from "../core/tf_types.ts";

installFusedConv2dGradient(tf);

/** Geometry, bias and activation of {@linkcode conv2d}. */
export interface Conv2DOptions {
  /** Step of the filter over height and width. */
  readonly strides: readonly [number, number];
  /** `"same"` pads so the output keeps `ceil(size / stride)`; `"valid"` does not pad. */
  readonly pad: "same" | "valid";
  /** Per-output-channel bias. */
  readonly bias?: Tensor | null;
  /**
   * ReLU applied by the kernel itself: only where no gradient is taken (the
   * registered gradient covers a bias alone). @default "linear"
   */
  readonly activation?: "linear" | "relu";
  /**
   * A tensor of the output's shape added before the activation (a residual
   * block's shortcut): only where no gradient is taken. One kernel where the
   * backend has {@link CONV2D_ADD_RELU_KERNEL} (with a bias and a ReLU), else
   * the convolution, an Add and the activation.
   */
  readonly residual?: Tensor | null;
  /**
   * The caller disposes `residual` right after the call and nothing else reads
   * it: the kernel may write the output into its memory. @default false
   */
  readonly reuseResidual?: boolean;
}

/**
 * An NHWC float32 convolution with an HWIO `filter`, an optional bias and,
 * outside gradients, an optional ReLU, as one kernel with a registry gradient
 * (see the module notes); the values of `tf.fused.conv2d`.
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
  const { strides, pad, bias = null, activation = "linear", residual = null } = options;
  const attrs = { strides, pad, dataFormat: "NHWC", dilations: [1, 1], dimRoundingMode: undefined };
  if (residual !== null) return withResidual(x, filter, residual, options, attrs);
  if (bias === null && activation === "linear") {
    return tf.engine().runKernel(
      "Conv2D",
      { x, filter },
      attrs as unknown as tf.NamedAttrMap,
    ) as Tensor4D;
  }
  if (activation !== "linear" && tf.engine().state.gradientDepth > 0) {
    throw new Error("conv2d: a fused ReLU has no gradient here; apply tf.relu to the output");
  }
  const inputs: tf.NamedTensorMap = bias === null ? { x, filter } : { x, filter, bias };
  return tf.engine().runKernel(
    FUSED_CONV2D_KERNEL,
    inputs,
    { ...attrs, activation } as unknown as tf.NamedAttrMap,
  ) as Tensor4D;
}

function withResidual(
  x: Tensor4D,
  filter: Tensor4D,
  residual: Tensor,
  options: Conv2DOptions,
  attrs: Record<string, unknown>,
): Tensor4D {
  if (tf.engine().state.gradientDepth > 0) {
    throw new Error("conv2d: a residual has no gradient here; add it to the output");
  }
  const { bias = null, activation = "linear" } = options;
  if (
    bias !== null && activation === "relu" &&
    tf.getKernel(CONV2D_ADD_RELU_KERNEL, tf.getBackend()) !== undefined
  ) {
    return tf.engine().runKernel(
      CONV2D_ADD_RELU_KERNEL,
      { x, filter, bias, residual },
      { ...attrs, reuseResidual: options.reuseResidual === true } as unknown as tf.NamedAttrMap,
    ) as Tensor4D;
  }
  return tf.tidy(() => {
    const sum = tf.add(
      conv2d(x, filter, { ...options, activation: "linear", residual: null }),
      residual,
    );
    return (activation === "relu" ? tf.relu(sum) : sum) as Tensor4D;
  });
}

/** What skiplab reads of tfjs's Conv2D layer (its fields are not in its public type). */
export interface ConvFields {
  /** Spatial dimensions the layer convolves: 2 for Conv2D. */
  rank: number;
  /** Step of the filter over height and width. */
  strides: [number, number];
  /** `"same"`, `"valid"` or `"causal"`. */
  padding: string;
  /** `"channelsLast"` (NHWC) or `"channelsFirst"`. */
  dataFormat: string;
  /** Spacing of the filter's taps; 1 is a plain convolution. */
  dilationRate: [number, number];
  /** The filter weights, HWIO. */
  kernel: { read(): Tensor };
  /** The per-channel bias, or null when the layer has none. */
  bias: { read(): Tensor } | null;
  /** The activation applied after the convolution. */
  activation: { getClassName(): string };
}

/** `layer`'s fields when {@linkcode conv2d} can run it, else null. */
export function convFields(layer: Layer): ConvFields | null {
  if (layer.getClassName() !== "Conv2D") return null;
  const c = layer as unknown as ConvFields;
  const activation = c.activation.getClassName();
  const ok = c.rank === 2 && c.dataFormat === "channelsLast" &&
    (c.padding === "same" || c.padding === "valid") && c.dilationRate.every((d) => d === 1) &&
    (activation === "linear" || activation === "relu");
  return ok ? c : null;
}

/** Runs `layer` (fields from {@linkcode convFields}) on `x` through {@linkcode conv2d}. */
function convCall(layer: ConvFields, x: Tensor): Tensor {
  return tf.tidy(() => {
    const y = conv2d(x as Tensor4D, layer.kernel.read() as Tensor4D, {
      strides: layer.strides,
      pad: layer.padding as "same" | "valid",
      bias: layer.bias?.read() ?? null,
    });
    return layer.activation.getClassName() === "relu" ? tf.relu(y) : y;
  });
}

type Call = Layer["call"];

/**
 * `tf.layers.conv2d(args)` whose call runs {@linkcode conv2d} (see the
 * module notes); the same values.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { conv2dLayer } from "./conv2d.ts";
 * const conv = conv2dLayer({ filters: 8, kernelSize: 3, padding: "same", name: "c" });
 * const y = conv.apply(tf.ones([2, 4, 4, 3])) as tf.Tensor;
 * console.log(y.shape); // [2, 4, 4, 8]
 * ```
 */
export function conv2dLayer(args: Parameters<typeof tf.layers.conv2d>[0]): Layer {
  const layer = tf.layers.conv2d(args);
  const stock: Call = layer.call.bind(layer);
  layer.call = (inputs, kwargs) => {
    const x = Array.isArray(inputs) ? (inputs.length === 1 ? inputs[0] : undefined) : inputs;
    const fields = convFields(layer);
    return fields !== null && x?.rank === 4 && x.dtype === "float32"
      ? convCall(fields, x)
      : stock(inputs, kwargs);
  };
  return layer;
}
