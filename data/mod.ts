/**
 * Datasets and the input pipeline: CIFAR-10 (download, verification, cache,
 * parsing, splits), a learnable synthetic dataset, the CIFAR binary writer,
 * seeded randomness and batching.
 * @module
 */
// Rng lives in core/; re-exported so `@skiplab/skiplab/data` keeps offering it.
export * from "../core/rng.ts";
export * from "./image_set.ts";
export * from "./data_error.ts";
export * from "./progress.ts";
export * from "./cache_dir.ts";
export * from "./download.ts";
export * from "./read_cifar_binary.ts";
export * from "./write_cifar_binary.ts";
export * from "./split.ts";
export * from "./cifar10.ts";
export * from "./synthetic.ts";
export * from "./pipeline.ts";
export * from "./channel_stats.ts";
