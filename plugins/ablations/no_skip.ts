/**
 * `ablations/no-skip`: a residual network with every shortcut removed.
 * @module
 */
import { z } from "zod";
import { definePlugin, type PluginFactory } from "../plugin.ts";

const NAME = "ablations/no-skip";

/** Options of {@linkcode noSkip}: there are none, so only `{}` is valid. */
export type NoSkipOptions = Record<string, never>;

const schema = z.strictObject({});

/**
 * Rewrites a residual spec with `skip: false`, removing every skip connection
 * and its projection (ResNet-18 becomes the paper's "ResNet-18 without skips").
 * The spec keeps its name. A plain CNN has no skips to remove, so it is an
 * error.
 *
 * @example
 * ```ts
 * import { noSkip } from "./no_skip.ts";
 * const plugin = noSkip.create({});
 * const spec = plugin.transformModel!({
 *   name: "tiny", family: "resnet", inputShape: [32, 32, 3], classes: 10, dropout: 0,
 *   batchNorm: true, block: "basic", skip: true,
 *   stem: { filters: 8, kernelSize: 3, stride: 1, pool: false },
 *   stages: [{ filters: 8, blocks: 1, stride: 1 }],
 * });
 * console.log(spec.family === "resnet" && spec.skip); // false
 * ```
 */
export const noSkip: PluginFactory<NoSkipOptions> = definePlugin({
  name: NAME,
  description: "Removes every skip connection of a residual network",
  schema,
  create() {
    return {
      name: NAME,
      transformModel(spec) {
        if (spec.family !== "resnet") {
          throw new TypeError(
            `${NAME} needs a residual spec: '${spec.name}' is of family '${spec.family}', ` +
              `which has no skip connections`,
          );
        }
        return { ...spec, skip: false };
      },
    };
  },
});
