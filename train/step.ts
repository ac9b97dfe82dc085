import * as tf from "@tensorflow/tfjs";
import type { Batch, NamedGradient } from "./types.ts";

/** A trainable variable of a model and where it lives. */
export interface TrainableInfo {
  /** Key the optimiser state uses: `${layer}/${weight}`. */
  readonly key: string;
  readonly layer: string;
  readonly weight: string;
  /** Index of the layer among layers with trainable weights (input first). */
  readonly depth: number;
  readonly variable: tf.Variable;
}

/**
 * The trainable variables of a model with their layer names and depths, in
 * layer order. Keys do not depend on tfjs's global variable naming, so two
 * models of one architecture share keys.
 */
export function trainables(model: tf.LayersModel): TrainableInfo[] {
  const out: TrainableInfo[] = [];
  let depth = 0;
  for (const layer of model.layers) {
    const ws = layer.trainableWeights;
    if (ws.length === 0) continue;
    for (const w of ws) {
      const weight = w.originalName.split("/").pop() ?? w.originalName;
      out.push({
        key: `${layer.name}/${weight}`,
        layer: layer.name,
        weight,
        depth,
        variable: w.read() as tf.Variable,
      });
    }
    depth++;
  }
  return out;
}

/** Loss and accuracy of a step, as scalars owned by the caller. */
export interface StepResult {
  readonly loss: tf.Scalar;
  readonly correct: tf.Scalar;
  /** Gradients by key; owned by the caller. */
  readonly grads: Map<string, tf.Tensor>;
}

/** Mean categorical cross-entropy of softmax outputs (clipped like Keras). */
export function crossEntropy(ys: tf.Tensor2D, probs: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const p = probs.clipByValue(1e-7, 1 - 1e-7);
    return ys.mul(p.log()).sum(-1).neg().mean() as tf.Scalar;
  });
}

/** Count of rows whose arg-max prediction equals the arg-max label. */
export function correctCount(ys: tf.Tensor2D, probs: tf.Tensor): tf.Scalar {
  return tf.tidy(() => probs.argMax(-1).equal(ys.argMax(-1)).cast("float32").sum() as tf.Scalar);
}

/**
 * Forward in training mode (batch-norm statistics update, dropout on), loss,
 * and gradients of every trainable variable.
 */
export function gradientStep(
  model: tf.LayersModel,
  infos: readonly TrainableInfo[],
  batch: Batch,
): StepResult {
  let correct: tf.Scalar | undefined;
  const { value, grads } = tf.variableGrads(() => {
    const probs = model.apply(batch.xs, { training: true }) as tf.Tensor;
    correct = tf.keep(correctCount(batch.ys, probs));
    return crossEntropy(batch.ys, probs);
  }, infos.map((i) => i.variable));
  const byKey = new Map<string, tf.Tensor>();
  for (const info of infos) byKey.set(info.key, grads[info.variable.name]);
  return { loss: value, correct: correct!, grads: byKey };
}

/** Borrowed views of a step's gradients for probes. */
export function namedGradients(
  infos: readonly TrainableInfo[],
  grads: Map<string, tf.Tensor>,
): NamedGradient[] {
  return infos.map((i) => ({
    layer: i.layer,
    weight: i.weight,
    depth: i.depth,
    grad: grads.get(i.key)!,
  }));
}
