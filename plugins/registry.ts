/**
 * The registry of built-in plugins, filled explicitly (no import side effects).
 * @module
 */
import { Registry } from "../core/registry.ts";
import type { PluginFactory } from "./plugin.ts";
import { earlyStopping } from "./callbacks/early_stopping.ts";
import { modelCheckpoint } from "./callbacks/model_checkpoint.ts";
import { reduceLrOnPlateau } from "./callbacks/reduce_lr_on_plateau.ts";
import { terminateOnNan } from "./callbacks/terminate_on_nan.ts";
import { preciseBn } from "./callbacks/precise_bn.ts";
import { gradientNorms } from "./probes/gradient_norms.ts";
import { timingMemory } from "./probes/timing_memory.ts";
import { noSkip } from "./ablations/no_skip.ts";
import { noBatchnorm } from "./ablations/no_batchnorm.ts";
import { brightness, cutout, flip, randomCrop } from "./augment/mod.ts";

/** Every built-in plugin factory, in registration order. */
export const BUILTIN_PLUGINS: readonly PluginFactory[] = [
  reduceLrOnPlateau,
  earlyStopping,
  modelCheckpoint,
  terminateOnNan,
  preciseBn,
  gradientNorms,
  timingMemory,
  noSkip,
  noBatchnorm,
  flip,
  brightness,
  randomCrop,
  cutout,
];

/**
 * A new registry holding every built-in plugin factory under its name. Each
 * call returns a fresh registry, so registering more plugins affects only it.
 *
 * @example
 * ```ts
 * import { createPluginRegistry } from "./registry.ts";
 * const plugins = createPluginRegistry();
 * const factory = plugins.get("callbacks/early-stopping");
 * factory.create(factory.schema.parse({ patience: 7, restore_best: true }));
 * ```
 */
export function createPluginRegistry(): Registry<PluginFactory> {
  const registry = new Registry<PluginFactory>("plugin");
  for (const factory of BUILTIN_PLUGINS) registry.register(factory.name, factory);
  return registry;
}
