import * as tf from "@tensorflow/tfjs";
import type { PluginChain } from "./compose.ts";
import type { Optimizer } from "./optimizer.ts";
import { gradientStep, namedGradients, type TrainableInfo } from "./step.ts";
import type { Batch, StepContext } from "./types.ts";

/**
 * One training step: plugins transform the batch, forward and gradients, probes
 * see them, the optimiser applies them. Returns the step's mean loss and
 * correct count. When the loss is not finite nothing changes: the update is
 * skipped and the batch-norm moving statistics, which the forward pass
 * already moved, are put back. The batch is freed.
 */
export async function guardedStep(
  model: tf.LayersModel,
  infos: readonly TrainableInfo[],
  chain: PluginChain,
  optimizer: Optimizer,
  batch: Batch,
  ctx: StepContext,
): Promise<{ loss: number; correct: number }> {
  const stats = model.nonTrainableWeights.map((w) => tf.clone(w.read()));
  const { loss, correct, grads } = tf.tidy(() => {
    const b = chain.has("transformBatch") ? chain.transformBatch(batch, ctx) : batch;
    const r = gradientStep(model, infos, b);
    return { loss: r.loss, correct: r.correct, grads: Object.fromEntries(r.grads) };
  });
  tf.dispose([batch.xs, batch.ys]);
  const [l, c] = [(await loss.data())[0], (await correct.data())[0]];
  tf.dispose([loss, correct]);
  try {
    if (!Number.isFinite(l)) {
      model.nonTrainableWeights.forEach((w, i) => w.write(stats[i]));
    } else {
      const byKey = new Map(Object.entries(grads));
      // Outside the tidy scope, so tensors a probe keeps are its own to free.
      if (chain.has("afterGradients")) {
        await chain.afterGradients(namedGradients(infos, byKey), ctx);
      }
      optimizer.apply(
        new Map(infos.map((i) => [i.key, { variable: i.variable, grad: byKey.get(i.key)! }])),
      );
    }
  } finally {
    tf.dispose([...stats, ...Object.values(grads)]);
  }
  return { loss: l, correct: c };
}
