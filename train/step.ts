import * as tf from "@tensorflow/tfjs";
import type { LayersModel, Scalar, Tensor, Tensor2D, Variable } from "../core/tf_types.ts";
import { depthAxis } from "../models/depth_axis.ts";
import { logitsOf } from "./logits.ts";
import type { Batch, NamedGradient } from "./types.ts";

/** A trainable variable of a model and where it lives. */
export interface TrainableInfo {
  /** Key the optimiser state uses: `${layer}/${weight}`. */
  readonly key: string;
  /** Name of the layer that owns the weight. */
  readonly layer: string;
  /** Weight name within its layer, e.g. `kernel`, `gamma`. */
  readonly weight: string;
  /** The layer's depth on the main path (models/depth_axis.ts). */
  readonly depth: number;
  /** `main`, or `shortcut` for a projection shortcut. */
  readonly path: "main" | "shortcut";
  /** The model's variable itself (not a copy). */
  readonly variable: Variable;
}

/**
 * The trainable variables of a model with their layer names and their place
 * on the main-path depth axis ({@linkcode depthAxis}), in layer order. Keys
 * do not depend on tfjs's global variable naming, so two models of one
 * architecture share keys.
 */
export function trainables(model: LayersModel): TrainableInfo[] {
  const layers = model.layers.filter((l) => l.trainableWeights.length > 0);
  const axis = depthAxis(layers.map((l) => ({
    name: l.name,
    kernel: l.trainableWeights.some((w) => w.originalName.split("/").pop() === "kernel"),
  })));
  return layers.flatMap((layer, i) =>
    layer.trainableWeights.map((w) => {
      const weight = w.originalName.split("/").pop() ?? w.originalName;
      return {
        key: `${layer.name}/${weight}`,
        layer: layer.name,
        weight,
        depth: axis[i].depth,
        path: axis[i].path,
        variable: w.read() as Variable,
      };
    })
  );
}

/** Loss and accuracy of a step, as scalars owned by the caller. */
export interface StepResult {
  /** Mean cross-entropy of the batch. */
  readonly loss: Scalar;
  /** Number of correctly classified images in the batch. */
  readonly correct: Scalar;
  /** Gradients by key; owned by the caller. */
  readonly grads: Map<string, Tensor>;
}

/**
 * Mean categorical cross-entropy of the softmax of `logits`, computed from the
 * logits (log-sum-exp), so it is exact where a probability underflows and its
 * gradient, softmax − label, never vanishes (see {@linkcode logitsOf}).
 */
export function crossEntropy(ys: Tensor2D, logits: Tensor): Scalar {
  return tf.tidy(() => tf.losses.softmaxCrossEntropy(ys, logits) as Scalar);
}

/** Count of rows whose arg-max score (logit or probability) equals the arg-max label. */
export function correctCount(ys: Tensor2D, scores: Tensor): Scalar {
  return tf.tidy(() => scores.argMax(-1).equal(ys.argMax(-1)).cast("float32").sum() as Scalar);
}

/**
 * Forward in training mode (batch-norm statistics update, dropout on), loss
 * from the logits, and gradients of every trainable variable.
 */
export function gradientStep(
  model: LayersModel,
  infos: readonly TrainableInfo[],
  batch: Batch,
): StepResult {
  let correct: Scalar | undefined;
  const logits = logitsOf(model);
  const { value, grads } = tf.variableGrads(() => {
    const z = logits(batch.xs, true);
    correct = tf.keep(correctCount(batch.ys, z));
    return crossEntropy(batch.ys, z);
  }, infos.map((i) => i.variable));
  const byKey = new Map<string, Tensor>();
  for (const info of infos) byKey.set(info.key, grads[info.variable.name]);
  return { loss: value, correct: correct!, grads: byKey };
}

/** Borrowed views of a step's gradients for probes. */
export function namedGradients(
  infos: readonly TrainableInfo[],
  grads: Map<string, Tensor>,
): NamedGradient[] {
  return infos.map((i) => ({
    layer: i.layer,
    weight: i.weight,
    depth: i.depth,
    path: i.path,
    grad: grads.get(i.key)!,
  }));
}
