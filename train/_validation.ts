import type { LayersModel } from "../core/tf_types.ts";
import type { Batch } from "../core/batch.ts";
import { type ImageSet, sliceImageSet } from "../data/image_set.ts";
import { BatchPipeline } from "../data/pipeline.ts";
import type { Evaluation } from "./evaluate.ts";
import type { RunContext, ValidationContext } from "./types.ts";

/**
 * The context of the validation event of `epoch`. `validate` is the trainer's
 * own validation, so a plugin's evaluation matches it bit for bit.
 */
export function validationContext(
  run: RunContext,
  epoch: number,
  sources: {
    model: LayersModel;
    train: ImageSet;
    batchSize: number;
    validate: () => Promise<Evaluation>;
  },
): ValidationContext {
  const { model, train, batchSize, validate } = sources;
  return {
    ...run,
    epoch,
    model,
    batchSize,
    trainingBatches: (count) => firstBatches(train, batchSize, count),
    evaluate: validate,
  };
}

function firstBatches(
  set: ImageSet,
  batchSize: number,
  count: number,
): AsyncIterableIterator<Batch> {
  if (!Number.isInteger(count) || count < 1) {
    throw new RangeError(`trainingBatches: count must be an integer >= 1, got ${count}`);
  }
  // The stored order of a prefix: no shuffle, so no seed and no random stream is touched.
  const head = sliceImageSet(set, 0, Math.min(set.count, count * batchSize));
  const pipeline = new BatchPipeline(head, { batchSize, shuffle: false, seed: 0 });
  return pipeline.epoch(0);
}
