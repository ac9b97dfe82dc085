/**
 * Random crop after padding, beyond the paper (the usual CIFAR recipe).
 * @module
 */
import { z } from "zod";
import { definePlugin, type PluginFactory } from "../plugin.ts";
import { sampleBoxes } from "./_sample_boxes.ts";

/** Options of {@linkcode randomCrop}, validated. */
export interface RandomCropOptions {
  /**
   * Black pixels added on every side before cropping back to the input size
   * (an integer in [0, 64]; 0 leaves images unchanged). @default 4
   */
  readonly padding: number;
  /**
   * Value of the padded pixels on the pipeline's scale: −1 is black under
   * `unit` normalisation, 0 the training mean under `per-channel`. @default -1
   */
  readonly fill?: number;
}

const schema = z.strictObject({
  padding: z.number().int().min(0).max(64).default(4),
  fill: z.number().default(-1),
});

/**
 * `augment/random-crop`: pads each image with `padding` pixels of value
 * `fill` (default −1, black on the pipeline's unit scale) per side and crops it back to its size at a random
 * offset, drawn per image from the step's seeded `rng`.
 *
 * @example
 * ```ts
 * import { randomCrop } from "./random_crop.ts";
 * const plugin = randomCrop.create(randomCrop.schema.parse({ padding: 4 }));
 * ```
 */
export const randomCrop: PluginFactory<RandomCropOptions> = definePlugin({
  name: "augment/random-crop",
  description: "Pad each image and crop it back at a random offset",
  schema,
  create: ({ padding, fill = -1 }) => ({
    name: "augment/random-crop",
    transformBatch(batch, ctx) {
      if (padding === 0) return batch;
      const n = batch.xs.shape[0];
      // Windows reaching past the border read black: padding without a (slow) pad op.
      const offsets = new Int32Array(2 * n);
      for (let i = 0; i < 2 * n; i++) offsets[i] = ctx.rng.int(2 * padding + 1) - padding;
      return { xs: sampleBoxes(batch.xs, { offsets, fill }), ys: batch.ys };
    },
  }),
});
