import * as tf from "@tensorflow/tfjs";
import type { LayersModel } from "../core/tf_types.ts";
import type { ImageSet } from "../data/image_set.ts";
import { BatchPipeline } from "../data/pipeline.ts";
import { confusionMatrix } from "./confusion.ts";
import { logitsOf } from "./logits.ts";
import { correctCount, crossEntropy } from "./step.ts";

import type { Evaluation } from "./types.ts";
export type { Evaluation };

/**
 * Evaluates a model in inference mode (batch-norm moving statistics, no
 * dropout) on every image of a set, in order.
 *
 * @example
 * ```ts ignore
 * const { loss, acc } = await evaluate(model, splits.test, { batchSize: 256 });
 * ```
 */
export async function evaluate(
  model: LayersModel,
  set: ImageSet,
  options: { batchSize?: number; probabilities?: boolean } = {},
): Promise<Evaluation> {
  const batchSize = options.batchSize ?? 256;
  const classes = set.classNames.length;
  const predicted = new Int32Array(set.count);
  const confidence = new Float32Array(set.count);
  const probabilities = options.probabilities ? new Float32Array(set.count * classes) : undefined;
  const confusion = () => confusionMatrix(set.labels, predicted, classes);
  if (set.count === 0) {
    return { loss: NaN, acc: NaN, predicted, confidence, confusion: confusion(), probabilities };
  }
  const logits = logitsOf(model);
  const pipeline = new BatchPipeline(set, { batchSize, shuffle: false, seed: 0 });
  let lossSum = 0, correct = 0, offset = 0;
  try {
    for await (const batch of pipeline.epoch(0)) {
      const n = batch.xs.shape[0];
      const [l, c, arg, top, probs] = tf.tidy(() => {
        const z = logits(batch.xs, false);
        const p = tf.softmax(z);
        return [
          crossEntropy(batch.ys, z),
          correctCount(batch.ys, z),
          p.argMax(-1),
          p.max(-1),
          options.probabilities ? p : null,
        ];
      });
      lossSum += (await l.data())[0] * n;
      correct += (await c.data())[0];
      predicted.set(await arg.data() as Int32Array, offset);
      confidence.set(await top.data() as Float32Array, offset);
      if (probs) probabilities!.set(await probs.data() as Float32Array, offset * classes);
      tf.dispose([l, c, arg, top, probs ?? [], batch.xs, batch.ys]);
      offset += n;
    }
  } finally {
    // The batch norms were folded once for the whole set (`forward.ts`); their memory goes now.
    logits.release();
  }
  return {
    loss: lossSum / set.count,
    acc: correct / set.count,
    predicted,
    confidence,
    confusion: confusion(),
    probabilities,
  };
}
