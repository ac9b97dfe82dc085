/**
 * skiplab: deep-CNN experiments on TensorFlow.js, Deno first.
 *
 * Build a registered architecture (or your own spec), load CIFAR-10 or the
 * synthetic dataset, and train with one custom loop that plugins extend:
 * augmentation, callbacks, gradient probes and ablations.
 *
 * @example Train the baseline CNN for one epoch on synthetic data
 * ```ts ignore
 * import { buildModel, syntheticDataset, train, flip, earlyStopping } from "@skiplab/skiplab";
 * const data = syntheticDataset({ seed: 1, train: 512, val: 128, test: 128 });
 * const model = buildModel("baseline_cnn", { seed: 1 });
 * const result = await train({
 *   model, train: data.train, val: data.val, test: data.test,
 *   epochs: 1, batchSize: 64, optimizer: { type: "adam", lr: 1e-3 },
 *   plugins: [flip.create({ p: 0.5 }), earlyStopping.create({ patience: 7 })],
 * });
 * console.log(result.test?.acc);
 * ```
 * @module
 */
export * from "./core/mod.ts";
export * from "./layers/mod.ts";
export * from "./models/mod.ts";
export * from "./data/mod.ts";
export * from "./backends/mod.ts";
export * from "./train/mod.ts";
export * from "./plugins/mod.ts";
export * from "./analysis/mod.ts";
export * from "./rundir/mod.ts";
export * from "./inference/mod.ts";
