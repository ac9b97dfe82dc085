/**
 * Re-estimating the batch-norm moving statistics of a model on given
 * batches: the plain average of each layer's per-batch mean and variance,
 * computed with the weights as they are (precise BN).
 *
 * The statistics are computed directly, not by running the model in
 * training mode with each layer's momentum set to (k−1)/k: tfjs hands one
 * `training` flag to every layer, so training mode would also switch dropout
 * on (drawing masks from its seeded stream, which a resume must replay
 * exactly, and perturbing what later layers see), and the average would rest
 * on each backend's moving-average update. Here the model runs in inference
 * mode (dropout is the identity, nothing random is drawn) while each
 * batch-norm layer, for these calls only, normalises with its batch's own
 * statistics as it does in training and hands them over; nothing is written
 * until the average is set.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Batch } from "../../core/batch.ts";
import type { Layer, LayersModel, Tensor } from "../../core/tf_types.ts";

/** The tfjs variable of a layer weight (`LayerVariable`, not in tfjs's public types). */
interface WeightVariable {
  readonly originalName: string;
  read(): Tensor;
  write(value: Tensor): void;
}

/** A batch-norm layer of a model and the variables the estimate reads and writes. */
export interface BatchNormStats {
  /** The layer. */
  readonly layer: Layer;
  /** Its scale, when it has one. */
  readonly gamma?: WeightVariable;
  /** Its offset, when it has one. */
  readonly beta?: WeightVariable;
  /** Its moving mean. */
  readonly movingMean: WeightVariable;
  /** Its moving variance. */
  readonly movingVariance: WeightVariable;
  /** Added to the variance before its square root. */
  readonly epsilon: number;
}

const weightOf = (layer: Layer, name: string): WeightVariable | undefined =>
  (layer.weights as unknown as WeightVariable[]).find((w) =>
    w.originalName.split("/").pop() === name
  );

/** Every batch-norm layer of `model`, nested models included, in layer order. */
export function batchNormLayers(model: LayersModel): BatchNormStats[] {
  const found: BatchNormStats[] = [];
  const visit = (layers: readonly Layer[]) => {
    for (const layer of layers) {
      const nested = (layer as unknown as { layers?: Layer[] }).layers;
      if (Array.isArray(nested)) visit(nested);
      if (layer.getClassName() !== "BatchNormalization") continue;
      const movingMean = weightOf(layer, "moving_mean");
      const movingVariance = weightOf(layer, "moving_variance");
      if (!movingMean || !movingVariance) continue; // not built: nothing to estimate
      found.push({
        layer,
        gamma: weightOf(layer, "gamma"),
        beta: weightOf(layer, "beta"),
        movingMean,
        movingVariance,
        epsilon: Number(layer.getConfig().epsilon),
      });
    }
  };
  visit(model.layers);
  return found;
}

/** Copies of every layer's moving mean and variance, to put back with {@linkcode writeMoving}. */
export function readMoving(layers: readonly BatchNormStats[]): Tensor[][] {
  return layers.map((l) => [tf.clone(l.movingMean.read()), tf.clone(l.movingVariance.read())]);
}

/** Writes moving means and variances (as {@linkcode readMoving} returns them) and frees them. */
export function writeMoving(layers: readonly BatchNormStats[], values: Tensor[][]): void {
  layers.forEach((l, i) => {
    l.movingMean.write(values[i][0]);
    l.movingVariance.write(values[i][1]);
  });
  tf.dispose(values.flat());
}

/**
 * Sets each layer's moving mean and variance to the average over `batches`
 * of its batch mean and batch variance (divided by the count, as the training
 * step's own statistics), the model running in inference mode on each batch
 * as one piece. Consumes and disposes the batches; returns how many there were.
 * @throws {RangeError} for a layer that normalises an axis other than the last.
 */
export async function estimateMoving(
  model: LayersModel,
  layers: readonly BatchNormStats[],
  batches: AsyncIterable<Batch>,
): Promise<number> {
  const seen = layers.map(() => ({ means: [] as Tensor[], variances: [] as Tensor[] }));
  const calls = layers.map((l) => Object.getOwnPropertyDescriptor(l.layer, "call"));
  let count = 0;
  try {
    layers.forEach((l, i) => {
      l.layer.call = (inputs) => batchNormalize(l, inputs, seen[i]);
    });
    for await (const batch of batches) {
      tf.dispose(tf.tidy(() => model.apply(batch.xs, { training: false }) as Tensor));
      tf.dispose([batch.xs, batch.ys]);
      count++;
    }
  } finally {
    // Back to the layer's own call: the instance's (layers/batch_norm.ts) or the class's.
    layers.forEach((l, i) => {
      if (calls[i]) Object.defineProperty(l.layer, "call", calls[i]!);
      else delete (l.layer as { call?: unknown }).call;
    });
  }
  if (count > 0) {
    layers.forEach((l, i) => {
      const [mean, variance] = tf.tidy(() => [
        tf.div(tf.addN(seen[i].means), count),
        tf.div(tf.addN(seen[i].variances), count),
      ]);
      l.movingMean.write(mean);
      l.movingVariance.write(variance);
      tf.dispose([mean, variance]);
    });
  }
  tf.dispose(seen.flatMap((s) => [...s.means, ...s.variances]));
  return count;
}

/** Batch-norm with the batch's own statistics, which it keeps in `into`. */
function batchNormalize(
  l: BatchNormStats,
  inputs: Tensor | Tensor[],
  into: { means: Tensor[]; variances: Tensor[] },
): Tensor {
  const x = Array.isArray(inputs) ? inputs[0] : inputs;
  const axis = Number(l.layer.getConfig().axis);
  if (axis !== -1 && axis !== x.rank - 1) {
    throw new RangeError(
      `Cannot re-estimate '${l.layer.name}': only a batch norm of the last axis is supported, ` +
        `got axis ${axis} of a rank-${x.rank} input`,
    );
  }
  return tf.tidy(() => {
    const axes = Array.from({ length: x.rank - 1 }, (_, i) => i);
    const { mean, variance } = tf.moments(x, axes);
    into.means.push(tf.keep(mean));
    into.variances.push(tf.keep(variance));
    return tf.batchNorm(x, mean, variance, l.beta?.read(), l.gamma?.read(), l.epsilon);
  });
}
