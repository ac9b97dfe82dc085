import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { selectBackend } from "../../backends/mod.ts";
import { buildModel } from "../../models/mod.ts";
import { BACKENDS_UNDER_TEST, relativeError, seeded } from "./_helpers.ts";

const X_SHAPE = [2, 32, 32, 3];

/** Loss gradients of every trainable weight of `name`, on `backend`, from given weights. */
async function modelGradients(
  backend: string,
  name: string,
  weights: Float32Array[] | null,
): Promise<{ weights: Float32Array[]; grads: Float32Array[] }> {
  await selectBackend(backend as "cpu");
  const model = buildModel(name, { seed: 1 }); // same seed: same dropout masks
  if (weights !== null) {
    tf.tidy(() =>
      model.setWeights(model.getWeights().map((w, i) => tf.tensor(weights[i], w.shape)))
    );
  }
  const x = tf.tensor4d(seeded(X_SHAPE, 11), X_SHAPE as [number, number, number, number]);
  const y = tf.oneHot(tf.tensor1d([3, 8], "int32"), 10);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const { grads } = tf.variableGrads(() => {
    const p = model.apply(x, { training: true }) as tf.Tensor;
    return tf.metrics.categoricalCrossentropy(y, p).mean() as tf.Scalar;
  }, vars);
  const out = {
    weights: await Promise.all(model.getWeights().map((w) => w.data() as Promise<Float32Array>)),
    grads: await Promise.all(vars.map((v) => grads[v.name].data() as Promise<Float32Array>)),
  };
  tf.dispose([x, y, ...Object.values(grads)]);
  model.dispose();
  return out;
}

let reference: { weights: Float32Array[]; grads: Float32Array[] } | null = null;

for (const backend of BACKENDS_UNDER_TEST) {
  Deno.test({
    name: `${backend.name}: gradients of the whole baseline_cnn match cpu within 1e-4`,
    ignore: backend.skip !== null,
    sanitizeResources: backend.name !== "webgpu",
    sanitizeOps: backend.name !== "webgpu",
    fn: async () => {
      reference ??= await modelGradients("cpu", "baseline_cnn", null);
      const { grads } = await modelGradients(backend.name, "baseline_cnn", reference.weights);
      assert.equal(grads.length, reference.grads.length);
      // A conv bias before batch norm has a zero gradient in exact arithmetic,
      // so its values are rounding noise: scales floor at 1% of the largest.
      const largest = Math.max(
        ...reference.grads.map((g) => g.reduce((a, v) => Math.max(a, Math.abs(v)), 0)),
      );
      const errors = grads.map((g, i) => relativeError(g, reference!.grads[i], 0.01 * largest));
      const worst = Math.max(...errors);
      assert.ok(worst <= 1e-4, `worst relative error ${worst} (weight ${errors.indexOf(worst)})`);
    },
  });
}

for (const name of ["baseline_cnn", "resnet18"]) {
  Deno.test(`wasm: Adam steps of ${name} run without missing kernels or leaks`, async () => {
    await selectBackend("wasm");
    const model = buildModel(name, { seed: 2 });
    const optimizer = tf.train.adam(1e-3);
    const x = tf.tensor4d(seeded(X_SHAPE, 12), X_SHAPE as [number, number, number, number]);
    const y = tf.oneHot(tf.tensor1d([0, 9], "int32"), 10);
    const step = (): number => {
      const loss = optimizer.minimize(() => {
        const p = model.apply(x, { training: true }) as tf.Tensor;
        return tf.metrics.categoricalCrossentropy(y, p).mean() as tf.Scalar;
      }, true)!;
      const value = loss.dataSync()[0];
      loss.dispose();
      return value;
    };
    const first = step(); // creates Adam's moment variables
    const tensors = tf.memory().numTensors;
    const second = step();
    assert.ok(Number.isFinite(first) && Number.isFinite(second), `losses ${first}, ${second}`);
    assert.equal(tf.memory().numTensors, tensors);
    tf.dispose([x, y]);
    optimizer.dispose();
    model.dispose();
  });
}
