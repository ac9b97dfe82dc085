import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { buildModel, modelVariant, resolveSpec } from "../../../../models/mod.ts";
import { ignore, random, relativeError } from "../_compare.ts";

/**
 * A whole resnet18 (blocked layouts between its layers on native) after three
 * training-mode passes: every moving mean and variance, then the inference
 * output those statistics give.
 */
function movingStatistics(): tf.Tensor[] {
  const model = buildModel(modelVariant(resolveSpec("resnet18"), { width: 0.125 }), {
    seed: 3,
    init: "pytorch",
  });
  const x = tf.tensor4d(random(8 * 32 * 32 * 3, 11), [8, 32, 32, 3]);
  for (let k = 0; k < 3; k++) tf.tidy(() => void model.apply(x, { training: true }));
  const out = [
    ...model.nonTrainableWeights.map((w) => w.read().clone()),
    model.predict(x) as tf.Tensor,
  ];
  model.dispose();
  return out;
}

Deno.test({
  // Issue 11's jumpy validation loss: the native batch-norm kernels are not its cause.
  name:
    "resnet18's batch-norm moving statistics and inference output on native equal the cpu backend's",
  ignore,
  fn() {
    assert.ok(relativeError(movingStatistics) < 1e-4);
  },
});
