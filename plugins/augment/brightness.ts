/**
 * Random brightness jitter, the paper's second augmentation.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { z } from "zod";
import { definePlugin, type PluginFactory } from "../plugin.ts";

/** Options of {@linkcode brightness}, validated. */
export interface BrightnessOptions {
  /** Largest brightness change, in [0, 1] pixel units (the paper uses 0.1). @default 0.1 */
  readonly max_delta: number;
}

const schema = z.strictObject({
  max_delta: z.number().min(0).max(1).default(0.1),
});

/**
 * `augment/brightness`: adds to each image one delta drawn uniformly from
 * [−max_delta, max_delta] (in [0, 1] pixel units, so 2·delta on the pipeline's
 * [−1, 1] scale) and clips to [−1, 1].
 *
 * @example
 * ```ts
 * import { brightness } from "./brightness.ts";
 * const plugin = brightness.create(brightness.schema.parse({}));
 * ```
 */
export const brightness: PluginFactory<BrightnessOptions> = definePlugin({
  name: "augment/brightness",
  description: "Random brightness change of each image, in [-max_delta, max_delta]",
  schema,
  create: ({ max_delta }) => ({
    name: "augment/brightness",
    transformBatch(batch, ctx) {
      const n = batch.xs.shape[0];
      const size = batch.xs.size / n;
      // Full-size deltas: a broadcasting add is far slower on the cpu backend.
      const deltas = new Float32Array(batch.xs.size);
      for (let i = 0; i < n; i++) {
        deltas.fill(2 * ctx.rng.uniform(-max_delta, max_delta), i * size, (i + 1) * size);
      }
      const xs = tf.tidy(() => batch.xs.add(tf.tensor(deltas, batch.xs.shape)).clipByValue(-1, 1));
      return { xs: xs as tf.Tensor4D, ys: batch.ys };
    },
  }),
});
