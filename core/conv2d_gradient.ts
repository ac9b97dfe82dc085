/**
 * The gradient of tfjs's `FusedConv2D` kernel, which tfjs leaves unregistered
 * (its fused op differentiates through a `customGrad` closure, whose inner
 * kernel is not recorded). skiplab's convolution (layers/conv2d.ts) runs the
 * kernel directly, so that its gradient is a registry gradient: lazy per
 * input, and one that a backend may release early (backends/native).
 *
 * Both install it, whichever loads first, with the tfjs they use: core
 * imports no package at run time.
 * @module
 */
import type * as tfjs from "@tensorflow/tfjs";

/** Name of tfjs's fused convolution kernel. */
export const FUSED_CONV2D_KERNEL = "FusedConv2D";

/**
 * Registers the `FusedConv2D` gradient for a bias without activation (the
 * case skiplab differentiates), once: never over a gradient already there,
 * so a backend's wrapper of it stays.
 */
export function installFusedConv2dGradient(tf: typeof tfjs): void {
  if (tf.getGradient(FUSED_CONV2D_KERNEL) !== undefined) return;
  tf.registerGradient({
    kernelName: FUSED_CONV2D_KERNEL,
    inputsToSave: ["x", "filter"],
    gradFunc: (dy, saved, attrs) => {
      const [x, filter] = saved;
      const a = attrs as unknown as tfjs.FusedConv2DAttrs;
      if ((a.activation ?? "linear") !== "linear") {
        throw new Error(
          `${FUSED_CONV2D_KERNEL}'s registered gradient is for a bias without activation, ` +
            `got '${a.activation}'`,
        );
      }
      const d = dy as tfjs.Tensor;
      const run = (kernel: string, inputs: tfjs.NamedTensorMap, shape: Record<string, unknown>) =>
        tf.engine().runKernel(kernel, inputs, {
          strides: a.strides,
          pad: a.pad,
          dataFormat: a.dataFormat,
          dimRoundingMode: a.dimRoundingMode,
          ...shape,
        } as unknown as tfjs.NamedAttrMap) as tfjs.Tensor;
      return {
        x: () => run("Conv2DBackpropInput", { dy: d, filter }, { inputShape: x.shape }),
        filter: () => run("Conv2DBackpropFilter", { x, dy: d }, { filterShape: filter.shape }),
        bias: () => tf.sum(d, [0, 1, 2]),
      };
    },
  });
}
