import * as tf from "@tensorflow/tfjs";
import type { LayersModel } from "../core/tf_types.ts";
import type { BatchPipeline } from "../data/pipeline.ts";
import type { PluginChain } from "./compose.ts";
import { gradientStep, namedGradients, type TrainableInfo } from "./step.ts";
import type { RunContext } from "./types.ts";

/**
 * The gradients of one batch with the model's current (final) weights, handed
 * to every `afterFinalGradients` hook. The batch is the first of epoch 0's
 * order, untransformed (no augmentation), so it is the same for every model
 * of a seed. Skipped for a run that diverged (a non-finite loss). The forward pass runs in training mode, as every step's does;
 * the batch-norm moving statistics it moves are put back, so the test
 * evaluation that follows sees the weights it would have seen without it.
 */
export async function finalGradients(
  sources: {
    model: LayersModel;
    infos: readonly TrainableInfo[];
    chain: PluginChain;
    pipeline: BatchPipeline;
    stopReason: string | undefined;
  },
  ctx: RunContext,
): Promise<void> {
  const { model, infos, chain, pipeline, stopReason } = sources;
  // A diverged run's weights are not a trained network's: nothing to measure.
  if (!chain.has("afterFinalGradients") || stopReason?.startsWith("loss became")) return;
  let batch;
  for await (const b of pipeline.epoch(0)) {
    batch = b;
    break;
  }
  if (!batch) return;
  const stats = model.nonTrainableWeights.map((w) => tf.clone(w.read()));
  const { loss, correct, grads } = tf.tidy(() => {
    const r = gradientStep(model, infos, batch);
    return { loss: r.loss, correct: r.correct, grads: Object.fromEntries(r.grads) };
  });
  model.nonTrainableWeights.forEach((w, i) => w.write(stats[i]));
  try {
    await chain.afterFinalGradients(namedGradients(infos, new Map(Object.entries(grads))), ctx);
  } finally {
    tf.dispose([batch.xs, batch.ys, loss, correct, ...stats, ...Object.values(grads)]);
  }
}
