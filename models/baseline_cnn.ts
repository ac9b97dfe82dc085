import * as tf from "@tensorflow/tfjs";
import type { LayersModel } from "../core/tf_types.ts";
import { classifierHead, convBnAct, DEFAULT_INIT, type InitScheme } from "../layers/mod.ts";
import type { PlainCnnSpec } from "./spec.ts";

/**
 * The paper's baseline: four conv–BN–ReLU–max-pool blocks of 32, 64, 128 and
 * 256 filters, global average pooling, dropout 0.5 and a dense softmax
 * (391,946 trainable parameters).
 */
export const BASELINE_CNN: PlainCnnSpec = {
  family: "plain_cnn",
  name: "baseline_cnn",
  inputShape: [32, 32, 3],
  classes: 10,
  dropout: 0.5,
  batchNorm: true,
  blocks: [32, 64, 128, 256].map((filters) => ({ filters, kernelSize: 3, pool: true })),
};

/**
 * Builds a plain CNN from its spec. Layers are named `block{i}_conv`, `_bn`,
 * `_relu`, `_pool`, then `pool`, `dropout`, `predictions`.
 *
 * @example
 * ```ts
 * import { BASELINE_CNN, buildPlainCnn } from "./baseline_cnn.ts";
 * const model = buildPlainCnn(BASELINE_CNN);
 * console.log(model.countParams()); // 392906 (391,946 trainable + BN moving statistics)
 * model.dispose();
 * ```
 */
export function buildPlainCnn(
  spec: PlainCnnSpec,
  seed = 0,
  init: InitScheme = DEFAULT_INIT,
): LayersModel {
  if (spec.blocks.length === 0) {
    throw new RangeError(`Cannot build "${spec.name}": 'blocks' must be non-empty, got []`);
  }
  const input = tf.input({ shape: [...spec.inputShape], name: "input" });
  let x = input;
  spec.blocks.forEach((block, i) => {
    x = convBnAct(x, {
      filters: block.filters,
      kernelSize: block.kernelSize,
      pool: block.pool,
      batchNorm: spec.batchNorm,
      useBias: true,
      name: `block${i + 1}`,
      seed: seed + i,
      init,
    });
  });
  const output = classifierHead(x, {
    classes: spec.classes,
    dropout: spec.dropout,
    seed: seed + spec.blocks.length,
    init,
  });
  return tf.model({ inputs: input, outputs: output, name: spec.name });
}
