/**
 * `ablations/no-batchnorm`: any architecture without batch normalisation.
 * @module
 */
import { z } from "zod";
import { definePlugin, type PluginFactory } from "../plugin.ts";

const NAME = "ablations/no-batchnorm";

/** Options of {@linkcode noBatchnorm}: there are none, so only `{}` is valid. */
export type NoBatchnormOptions = Record<string, never>;

const schema = z.strictObject({});

/**
 * Rewrites a spec with `batchNorm: false`: no batch normalisation after any
 * convolution. The spec keeps its name.
 *
 * @example
 * ```ts
 * import { noBatchnorm } from "./no_batchnorm.ts";
 * const spec = noBatchnorm.create({}).transformModel!({
 *   name: "small", family: "plain_cnn", inputShape: [32, 32, 3], classes: 10,
 *   dropout: 0.5, batchNorm: true, blocks: [{ filters: 8, kernelSize: 3, pool: true }],
 * });
 * console.log(spec.batchNorm); // false
 * ```
 */
export const noBatchnorm: PluginFactory<NoBatchnormOptions> = definePlugin({
  name: NAME,
  description: "Removes batch normalisation from every convolution block",
  schema,
  create() {
    return {
      name: NAME,
      transformModel: (spec) => ({ ...spec, batchNorm: false }),
    };
  },
});
