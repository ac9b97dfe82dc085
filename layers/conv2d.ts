/**
 * The convolution layer every skiplab block uses: a stock tfjs `Conv2D` layer
 * (same class, config and weights, so saved models load anywhere) whose call
 * runs {@linkcode conv2d} from core/conv2d.ts, a kernel with a registry
 * gradient, instead of tfjs's `customGrad` convolution. Its backward pass can
 * then be freed as it goes and skips the image gradient of the first layer.
 * Inputs it does not cover (channels-first, dilation, rank ≠ 4, an activation
 * other than linear or ReLU) take tfjs's own call.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { conv2d } from "../core/conv2d.ts";
import type { Layer, Tensor, Tensor4D } from "../core/tf_types.ts";

/** What the call reads of tfjs's Conv2D layer (its fields are not in its public type). */
interface ConvFields {
  rank: number;
  strides: [number, number];
  padding: string;
  dataFormat: string;
  dilationRate: [number, number];
  kernel: { read(): Tensor };
  bias: { read(): Tensor } | null;
  activation: { getClassName(): string; apply(x: Tensor): Tensor };
}

type Call = Layer["call"];

function ownCall(layer: ConvFields, inputs: Parameters<Call>[0]): Tensor | null {
  const x = Array.isArray(inputs) ? (inputs.length === 1 ? inputs[0] : undefined) : inputs;
  const activation = layer.activation.getClassName();
  if (
    x === undefined || x.rank !== 4 || x.dtype !== "float32" || layer.rank !== 2 ||
    layer.dataFormat !== "channelsLast" ||
    (layer.padding !== "same" && layer.padding !== "valid") ||
    layer.dilationRate.some((d) => d !== 1) || (activation !== "linear" && activation !== "relu")
  ) {
    return null;
  }
  return tf.tidy(() => {
    const y = conv2d(x as Tensor4D, layer.kernel.read() as Tensor4D, {
      strides: layer.strides,
      pad: layer.padding as "same" | "valid",
      bias: layer.bias?.read() ?? null,
    });
    return activation === "relu" ? tf.relu(y) : y;
  });
}

/**
 * `tf.layers.conv2d(args)` whose call runs skiplab's convolution (see the
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
  const fields = layer as unknown as ConvFields;
  layer.call = (inputs, kwargs) => ownCall(fields, inputs) ?? stock(inputs, kwargs);
  return layer;
}
