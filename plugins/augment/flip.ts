/**
 * Random horizontal flip, the paper's augmentation.
 * @module
 */
import { z } from "zod";
import { definePlugin, type PluginFactory } from "../plugin.ts";
import { sampleBoxes } from "./_sample_boxes.ts";

/** Options of {@linkcode flip}, validated. */
export interface FlipOptions {
  /** Chance that each image is mirrored left–right, in [0, 1]. @default 0.5 */
  readonly p: number;
}

const schema = z.strictObject({
  p: z.number().min(0).max(1).default(0.5),
});

/**
 * `augment/flip`: mirrors each image left–right with probability `p`
 * (default 0.5), drawing one number per image from the step's seeded `rng`.
 *
 * @example
 * ```ts
 * import { flip } from "./flip.ts";
 * const plugin = flip.create(flip.schema.parse({ p: 0.5 }));
 * ```
 */
export const flip: PluginFactory<FlipOptions> = definePlugin({
  name: "augment/flip",
  description: "Random horizontal flip of each image with probability p",
  schema,
  create: ({ p }) => ({
    name: "augment/flip",
    transformBatch(batch, ctx) {
      const n = batch.xs.shape[0];
      const mirror = new Uint8Array(n);
      for (let i = 0; i < n; i++) mirror[i] = ctx.rng.next() < p ? 1 : 0;
      if (!mirror.includes(1)) return batch;
      return { xs: sampleBoxes(batch.xs, { mirror }), ys: batch.ys };
    },
  }),
});
