/**
 * The plugin system: the plugin interface, the engine that composes plugins,
 * the registry of built-ins, loading of user plugin modules, and the built-in
 * callbacks, probes, ablations and augmentations.
 * @module
 */
export * from "./plugin.ts";
export * from "./compose.ts";
export * from "./registry.ts";
export * from "./load.ts";
export * from "./callbacks/mod.ts";
export * from "./probes/mod.ts";
export * from "./ablations/mod.ts";
export * from "./augment/mod.ts";
