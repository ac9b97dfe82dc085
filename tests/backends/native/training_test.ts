import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { registerCpuKernels } from "../../../backends/cpu_kernels.ts";
import { buildModel } from "../../../models/mod.ts";
import { ignore, random } from "./_compare.ts";

const BATCH = 2;
// The cpu reference with skiplab's Conv2DBackpropFilter (checked against tfjs's own in
// tests/backends/cpu_kernels_test.ts): tfjs's takes minutes per ResNet step.
registerCpuKernels();

/** Losses of three Adam steps of `name` from the given initial weights on `backend`. */
function losses(name: string, backend: string, init: Float32Array[]): number[] {
  tf.setBackend(backend);
  const model = buildModel(name, { seed: 1 });
  // Copy the weights so both backends start from the same point whatever the initialisers do.
  model.setWeights(model.getWeights().map((w, i) => tf.tensor(init[i], w.shape)));
  const x = tf.tensor4d(random(BATCH * 32 * 32 * 3, 1), [BATCH, 32, 32, 3]);
  const y = tf.oneHot(tf.tensor1d([3, 7], "int32"), 10);
  const opt = tf.train.adam(1e-3);
  const out: number[] = [];
  for (let i = 0; i < 3; i++) {
    const loss = opt.minimize(
      () => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor),
      true,
    )!;
    out.push(loss.dataSync()[0]);
    loss.dispose();
  }
  tf.dispose([x, y]);
  opt.dispose();
  model.dispose();
  return out;
}

function initialWeights(name: string): Float32Array[] {
  tf.setBackend("cpu");
  const model = buildModel(name, { seed: 1 });
  const out = model.getWeights().map((w) => Float32Array.from(w.dataSync()));
  model.dispose();
  return out;
}

for (const name of ["baseline_cnn", "mini_resnet", "resnet18", "resnet18_noskip"]) {
  Deno.test({
    name: `native backend trains ${name} for three Adam steps with the cpu backend's losses`,
    ignore,
    fn() {
      const init = initialWeights(name);
      const want = losses(name, "cpu", init);
      const got = losses(name, "native", init);
      for (let i = 0; i < 3; i++) {
        assert.ok(
          Math.abs(want[i] - got[i]) <= 1e-3,
          `step ${i}: native ${got[i]}, cpu ${want[i]}`,
        );
      }
    },
  });
}
