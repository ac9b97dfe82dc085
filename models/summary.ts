import type * as tf from "@tensorflow/tfjs";
import type { LayersModel } from "../core/tf_types.ts";

/** Size and cost of a model. */
export interface ModelSummary {
  /** The model's name (`model.name`). */
  readonly name: string;
  /** Parameters the optimiser updates. */
  readonly trainableParams: number;
  /** All parameters, including batch-norm moving statistics. */
  readonly totalParams: number;
  /** Weight layers on the longest path: convolutions and dense, shortcuts excluded. */
  readonly depth: number;
  /** Floating-point operations of one forward pass of one image (2 × multiply–adds). */
  readonly flops: number;
}

/**
 * Counts parameters, depth and forward FLOPs of a built model.
 *
 * @example
 * ```ts
 * import { buildModel } from "./build.ts";
 * import { summarizeModel } from "./summary.ts";
 * const model = buildModel("baseline_cnn");
 * console.log(summarizeModel(model).trainableParams); // 391946
 * model.dispose();
 * ```
 */
export function summarizeModel(model: LayersModel): ModelSummary {
  const size = (ws: tf.LayerVariable[]) =>
    ws.reduce((n, w) => n + w.shape.reduce((a: number, b) => a * (b ?? 1), 1), 0);
  let depth = 0;
  let flops = 0;
  for (const layer of model.layers) {
    const kind = layer.getClassName();
    if (kind !== "Conv2D" && kind !== "Dense") continue;
    const kernel = layer.getWeights()[0].shape;
    const out = layer.outputShape as number[];
    const positions = kind === "Conv2D" ? (out[1] ?? 1) * (out[2] ?? 1) : 1;
    flops += 2 * positions * kernel.reduce((a, b) => a * b, 1);
    if (!layer.name.includes("_proj_")) depth++;
  }
  return {
    name: model.name,
    trainableParams: size(model.trainableWeights),
    totalParams: size(model.weights),
    depth,
    flops,
  };
}
