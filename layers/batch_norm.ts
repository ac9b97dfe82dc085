/**
 * The batch-norm layer every skiplab block uses, and the kernel that lets a
 * backend normalise a training batch in one pass.
 *
 * In training, tfjs's BatchNormalization computes the batch statistics with
 * `tf.moments` (Mean, Sub, Square, Mean) before `FusedBatchNorm`, and its
 * gradient runs back through all of them: about ten activation-sized passes
 * per layer, and the centred copy kept alive for the backward pass. Where the
 * active backend registers {@link BATCH_NORM_TRAINING_KERNEL} (skiplab's
 * native backend does), the layer calls that one kernel instead; elsewhere it
 * is tfjs's layer unchanged. Either way it is a stock `BatchNormalization`
 * (same class, config and weights), so saved models load anywhere.
 *
 * Called with `{ relu: true }` beside `training` (train/forward.ts does, for a
 * batch norm only a ReLU reads), it returns `relu` of its output: in training,
 * through {@link BATCH_NORM_RELU_TRAINING_KERNEL} where the backend has it,
 * which saves the ReLU's passes over the activation both ways.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  BATCH_NORM_RELU_TRAINING_KERNEL,
  BATCH_NORM_TRAINING_KERNEL,
} from "../core/batch_norm_training.ts";
import type { Layer, Tensor } from "../core/tf_types.ts";
import { batchNormSettings, DEFAULT_INIT, type InitScheme } from "./init.ts";

/** What the layer reads of tfjs's BatchNormalization (its fields are not in its public type). */
interface BatchNormFields {
  axis: number;
  momentum: number;
  epsilon: number;
  gamma?: { read(): Tensor };
  beta?: { read(): Tensor };
  movingMean: { read(): Tensor; write(v: Tensor): void };
  movingVariance: { read(): Tensor; write(v: Tensor): void };
}

type Call = Layer["call"];

function fusedTraining(
  layer: BatchNormFields,
  inputs: Parameters<Call>[0],
  kwargs: Parameters<Call>[1],
): Tensor | null {
  const x = Array.isArray(inputs) ? (inputs.length === 1 ? inputs[0] : undefined) : inputs;
  if (kwargs?.training !== true || x === undefined || x.rank !== 4 || x.dtype !== "float32") {
    return null;
  }
  if ((layer.axis !== -1 && layer.axis !== 3) || !layer.gamma || !layer.beta) return null;
  const relu = kwargs.relu === true;
  const kernel = relu ? BATCH_NORM_RELU_TRAINING_KERNEL : BATCH_NORM_TRAINING_KERNEL;
  if (tf.getKernel(kernel, tf.getBackend()) === undefined) return null;
  const { gamma, beta, momentum } = layer;
  return tf.tidy(() => {
    const inputs = {
      x,
      scale: gamma.read(),
      offset: beta.read(),
      movingMean: layer.movingMean.read(),
      movingVariance: layer.movingVariance.read(),
    };
    // The kernel also updates the moving averages, exactly as tfjs's layer does.
    const outs = tf.engine().runKernel(
      kernel,
      inputs,
      { varianceEpsilon: layer.epsilon, momentum },
    ) as Tensor[];
    // The fused kernel's fourth output is the ReLU's mask, for its gradient.
    const [y, movingMean, movingVariance] = [outs[0], ...outs.slice(relu ? 4 : 3)];
    layer.movingMean.write(movingMean);
    layer.movingVariance.write(movingVariance);
    return y;
  });
}

/** The layers {@linkcode batchNormLayer} made (see {@linkcode takesRelu}). */
const reluAware = new WeakSet<Layer>();

/**
 * The batch-norm layer every skiplab block uses, with the momentum and ε of
 * the init scheme `init` (layers/init.ts: keras 0.99/1e-3, pytorch 0.9/1e-5,
 * he 0.9/1e-3). Training batches go through {@link BATCH_NORM_TRAINING_KERNEL}
 * where the backend has it.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { batchNormLayer } from "./batch_norm.ts";
 * const y = batchNormLayer("bn").apply(tf.ones([2, 4, 4, 3]), { training: true }) as tf.Tensor;
 * console.log(y.shape); // [2, 4, 4, 3]
 * ```
 */
export function batchNormLayer(name: string, init: InitScheme = DEFAULT_INIT): Layer {
  const layer = tf.layers.batchNormalization({ axis: -1, ...batchNormSettings(init), name });
  const stock: Call = layer.call.bind(layer);
  const fields = layer as unknown as BatchNormFields;
  layer.call = (inputs, kwargs) =>
    fusedTraining(fields, inputs, kwargs) ??
      (kwargs?.relu === true
        ? tf.tidy(() => tf.relu(stock(inputs, kwargs) as Tensor))
        : stock(inputs, kwargs));
  reluAware.add(layer);
  return layer;
}

/**
 * True for the layers {@linkcode batchNormLayer} makes, which take
 * `{ relu: true }` in their call's arguments and then apply the ReLU after them.
 */
export function takesRelu(layer: Layer): boolean {
  return reluAware.has(layer);
}
