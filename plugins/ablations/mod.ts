/**
 * Built-in ablations: plugins that rewrite the architecture before it is built.
 * @module
 */
export * from "./no_skip.ts";
export * from "./no_batchnorm.ts";
