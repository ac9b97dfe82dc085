/**
 * The logits of a classifier whose output is a softmax, for a loss computed
 * from logits.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { LayersModel, SymbolicTensor, Tensor, Tensor2D } from "../core/tf_types.ts";
import { forwardOf } from "./forward.ts";

/** Maps a batch to the pre-softmax scores `[batch, classes]`, in training or inference mode. */
export interface LogitsFn {
  (xs: Tensor, training: boolean): Tensor2D;
  /** Frees what inference passes keep between calls (folded weights, `forward.ts`). */
  release(): void;
}

const cache = new WeakMap<LayersModel, LogitsFn>();

/**
 * The function that computes `model`'s logits: the model without its final
 * softmax. The model's weights are shared, not copied, so gradients of the
 * logits reach the model's own variables.
 *
 * A loss computed from probabilities must clip them, and a clipped
 * probability has no gradient: a deep net at initialisation that puts nearly
 * all probability on one class (resnet110 does) would not learn from the
 * images of the other classes. From logits, the loss is exact and its
 * gradient (softmax − label) never vanishes.
 *
 * @throws {TypeError} when the model's last layer is neither a dense layer
 *   with a softmax activation (skiplab's heads) nor a softmax activation layer.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { logitsOf } from "./logits.ts";
 * const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 3, activation: "softmax" })] });
 * const logits = logitsOf(model)(tf.ones([2, 4]), false);
 * console.log(logits.shape); // [2, 3]
 * ```
 */
export function logitsOf(model: LayersModel): LogitsFn {
  let fn = cache.get(model);
  if (!fn) {
    fn = build(model);
    cache.set(model, fn);
  }
  return fn;
}

function build(model: LayersModel): LogitsFn {
  const last = model.layers[model.layers.length - 1];
  const config = last?.getConfig() ?? {};
  if (config.activation !== "softmax") {
    throw new TypeError(
      `Cannot train model '${model.name}': its last layer must end in a softmax ` +
        `(a dense layer with activation 'softmax', or a softmax activation layer) so that the ` +
        `loss can be computed from logits; '${last?.name}' has activation '${config.activation}'`,
    );
  }
  const body = tf.model({ inputs: model.inputs, outputs: last.input as SymbolicTensor });
  // Intermediates are freed as the pass goes (`forward.ts`).
  const run = forwardOf(body);
  const release = { release: () => run.release() };
  if (last.getClassName() === "Activation") {
    return Object.assign((xs: Tensor, training: boolean) => run(xs, training) as Tensor2D, release);
  }
  if (last.getClassName() !== "Dense") {
    throw new TypeError(
      `Cannot train model '${model.name}': its softmax layer '${last.name}' is a ` +
        `${last.getClassName()}; only a Dense or an Activation layer can end a classifier`,
    );
  }
  const weight = (name: string) =>
    last.weights.find((w) => w.originalName.split("/").pop() === name)?.read();
  const logits = (xs: Tensor, training: boolean) =>
    tf.tidy(() => {
      const [kernel, bias] = [weight("kernel")!, weight("bias")];
      const z = run(xs, training).matMul(kernel as Tensor2D);
      return (bias ? z.add(bias) : z) as Tensor2D;
    });
  return Object.assign(logits, release);
}
