/**
 * The dependency-free core: primitives that every other folder may share and
 * that import nothing from skiplab outside this folder — the seeded generator,
 * the generic registry, the tfjs type aliases, the batch type and the
 * contracts of custom kernels.
 * @module
 */
export * from "./rng.ts";
export * from "./registry.ts";
export * from "./tf_types.ts";
export * from "./batch.ts";
export * from "./fused_adam.ts";
export * from "./batch_norm_training.ts";
export * from "./conv2d_gradient.ts";
export * from "./labels.ts";
export * from "./errors.ts";
export * from "./bounded_read.ts";
