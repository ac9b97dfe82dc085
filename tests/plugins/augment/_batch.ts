/** Helpers for augmentation tests: a real pipeline batch and a plugin run as the trainer runs it. */
import * as tf from "@tensorflow/tfjs";
import { BatchPipeline, syntheticDataset } from "../../../data/mod.ts";
import type { Plugin } from "../../../plugins/plugin.ts";
import type { Batch } from "../../../train/types.ts";
import { stepContext } from "./_context.ts";

await tf.setBackend("cpu");
const { train } = syntheticDataset({ seed: 3, train: 16, val: 0, test: 0 });

/** The first 16-image batch of a small synthetic set; the caller disposes it. */
export async function firstBatch(): Promise<Batch> {
  for await (
    const b of new BatchPipeline(train, { batchSize: 16, shuffle: false, seed: 0 }).epoch(0)
  ) return b;
  throw new Error("empty pipeline");
}

/** Runs one plugin on a fresh batch inside tidy; returns the input images (caller disposes) and the output values. */
export async function run(
  plugin: Plugin,
  seed: number,
): Promise<{ before: tf.Tensor4D; after: number[][][][] }> {
  const batch = await firstBatch();
  const after = tf.tidy(() => plugin.transformBatch!(batch, stepContext(seed)).xs.arraySync());
  tf.dispose(batch.ys);
  return { before: batch.xs, after };
}
