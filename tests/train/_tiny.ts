import type * as tf from "@tensorflow/tfjs";
import { syntheticDataset } from "../../data/mod.ts";
import { buildModel, resnetSpec } from "../../models/mod.ts";
import type { Splits } from "../../data/mod.ts";

/** A tiny residual network (one 4-wide block) that trains in seconds on cpu. */
export function tinyModel(seed = 1): tf.LayersModel {
  return buildModel(resnetSpec({ name: "tiny_resnet", layers: [1], width: 4, dropout: 0.5 }), {
    seed,
  });
}

/** A small synthetic dataset, the same for every test. */
export const TINY_DATA: Splits = syntheticDataset({ seed: 3, train: 96, val: 32, test: 32 });

/** History without wall-clock and memory columns, which differ between identical runs. */
export function comparable(history: readonly Record<string, number>[]): Record<string, number>[] {
  return history.map(({ seconds: _s, images_per_sec: _i, memory_mb: _m, ...rest }) => rest);
}
