/**
 * Architectures as data, one builder per family, and the registry that names
 * them.
 * @module
 */
export * from "./spec.ts";
// Registry lives in core/; re-exported so `@skiplab/skiplab/models` keeps offering it.
export * from "../core/registry.ts";
export * from "./resnet.ts";
export * from "./cifar_resnet.ts";
export * from "./baseline_cnn.ts";
export * from "./zoo.ts";
export * from "./build.ts";
export * from "./summary.ts";
export * from "./depth_axis.ts";
export * from "./variant.ts";
