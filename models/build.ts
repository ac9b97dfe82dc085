import type { LayersModel } from "../core/tf_types.ts";
import { checkInitScheme, DEFAULT_INIT, type InitScheme } from "../layers/init.ts";
import { buildPlainCnn } from "./baseline_cnn.ts";
import { buildResNet } from "./resnet.ts";
import type { Registry } from "../core/registry.ts";
import type { ModelSpec } from "./spec.ts";
import { createModelRegistry } from "./zoo.ts";

/** Options of {@linkcode buildModel}. */
export interface BuildModelOptions {
  /** Seed of the initialisers and dropout masks. @default 0 */
  readonly seed?: number;
  /**
   * Initialisers and batch-norm momentum/epsilon as a framework defines them
   * (see {@linkcode InitScheme}). @default "he"
   */
  readonly init?: InitScheme;
  /** Registry to look names up in. @default the built-in architectures */
  readonly registry?: Registry<ModelSpec>;
}

let builtins: Registry<ModelSpec> | undefined;

/** The spec of a registered name (RangeError with suggestions when unknown), or the spec itself. */
export function resolveSpec(model: string | ModelSpec, registry?: Registry<ModelSpec>): ModelSpec {
  if (typeof model !== "string") return model;
  return (registry ?? (builtins ??= createModelRegistry())).get(model);
}

/**
 * Builds a model from a registered name or a spec.
 *
 * @example
 * ```ts
 * import { buildModel } from "./build.ts";
 * const model = buildModel("baseline_cnn", { seed: 1 });
 * console.log(model.name); // baseline_cnn
 * model.dispose();
 * ```
 */
export function buildModel(
  model: string | ModelSpec,
  options: BuildModelOptions = {},
): LayersModel {
  const spec = resolveSpec(model, options.registry);
  const seed = options.seed ?? 0;
  const init = checkInitScheme(options.init ?? DEFAULT_INIT);
  switch (spec.family) {
    case "plain_cnn":
      return buildPlainCnn(spec, seed, init);
    case "resnet":
      return buildResNet(spec, seed, init);
    default:
      throw new TypeError(
        `Cannot build "${(spec as ModelSpec).name}": unknown family '${
          (spec as { family: string }).family
        }'`,
      );
  }
}
