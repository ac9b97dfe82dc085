/**
 * Cutout (DeVries & Taylor, 2017), beyond the paper.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { z } from "zod";
import { definePlugin, type PluginFactory } from "../plugin.ts";

/** Options of {@linkcode cutout}, validated. */
export interface CutoutOptions {
  /** Side of the square blanked out, in pixels (an integer in [1, 256]). @default 8 */
  readonly size: number;
  /** Chance that an image gets a square, in [0, 1]. @default 1 */
  readonly p: number;
}

const schema = z.strictObject({
  size: z.number().int().min(1).max(256).default(8),
  p: z.number().min(0).max(1).default(1),
});

/**
 * `augment/cutout`: with probability `p`, sets a `size`×`size` square centred
 * at a random pixel of each image (clipped at the borders) to 0, the middle
 * grey of the pipeline's [−1, 1] scale.
 *
 * @example
 * ```ts
 * import { cutout } from "./cutout.ts";
 * const plugin = cutout.create(cutout.schema.parse({ size: 8 }));
 * ```
 */
export const cutout: PluginFactory<CutoutOptions> = definePlugin({
  name: "augment/cutout",
  description: "Blank out a random square of each image",
  schema,
  create: ({ size, p }) => ({
    name: "augment/cutout",
    transformBatch(batch, ctx) {
      const [n, h, w, c] = batch.xs.shape;
      // Full-size mask: a broadcasting multiply is far slower on the cpu backend.
      const mask = new Float32Array(n * h * w * c).fill(1);
      let cut = 0;
      for (let i = 0; i < n; i++) {
        if (!(ctx.rng.next() < p)) continue;
        const cy = ctx.rng.int(h), cx = ctx.rng.int(w);
        const y0 = Math.max(0, cy - (size >> 1)), y1 = Math.min(h, cy - (size >> 1) + size);
        const x0 = Math.max(0, cx - (size >> 1)), x1 = Math.min(w, cx - (size >> 1) + size);
        for (let y = y0; y < y1; y++) {
          mask.fill(0, ((i * h + y) * w + x0) * c, ((i * h + y) * w + x1) * c);
        }
        cut++;
      }
      if (cut === 0) return batch;
      const xs = tf.tidy(() => batch.xs.mul(tf.tensor4d(mask, [n, h, w, c])) as tf.Tensor4D);
      return { xs, ys: batch.ys };
    },
  }),
});
