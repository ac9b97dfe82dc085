/**
 * The plugin system: plugin factories, the registry of built-ins, loading of
 * user plugin modules, and the built-in callbacks, probes, ablations and
 * augmentations. The hook interface and the engine that runs hooks belong to
 * the trainer (train/hooks.ts, train/compose.ts).
 * @module
 */
export * from "./plugin.ts";
export * from "./registry.ts";
export * from "./load.ts";
export * from "./callbacks/mod.ts";
export * from "./probes/mod.ts";
export * from "./ablations/mod.ts";
export * from "./augment/mod.ts";
