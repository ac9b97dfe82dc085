/**
 * The loss from logits: exact where the softmax saturates, with the gradient
 * softmax − label, through the same logitsOf the trainer and evaluate() use.
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { buildModel } from "../../models/mod.ts";
import { logitsOf } from "../../train/logits.ts";
import { crossEntropy, gradientStep, trainables } from "../../train/step.ts";

await tf.setBackend("cpu");

/** log Σ exp(z) − z[label], in float64. */
function exactLoss(z: number[], label: number): number {
  const m = Math.max(...z);
  return m + Math.log(z.reduce((s, v) => s + Math.exp(v - m), 0)) - z[label];
}

Deno.test("crossEntropy of saturated logits is the exact log-sum-exp loss, where a clipped probability would stop at -log(1e-7) = 16.1", () => {
  const rows = [[40, 0, -3], [0.5, 0.1, 0.2], [-60, 25, 1]];
  const labels = [1, 2, 0];
  const z = tf.tensor2d(rows);
  const ys = tf.oneHot(tf.tensor1d(labels, "int32"), 3).cast("float32") as tf.Tensor2D;
  const loss = crossEntropy(ys, z).dataSync()[0];
  const expected = rows.reduce((s, r, i) => s + exactLoss(r, labels[i]), 0) / rows.length;
  assert.ok(Math.abs(loss - expected) < 1e-4 * expected, `loss ${loss}, exact ${expected}`);
  assert.ok(expected > 16.2 * 2 / 3, "the case is saturated beyond the old clip");
  tf.dispose([z, ys]);
});

Deno.test("the gradient of crossEntropy with respect to the logits is (softmax − label) / batch, also for an image whose class has probability below 1e-7", () => {
  const z = tf.tensor2d([[30, 0, -5], [1, 2, 3]]);
  const ys = tf.tensor2d([[0, 1, 0], [0, 0, 1]]);
  const g = tf.grad((x: tf.Tensor) => crossEntropy(ys, x))(z);
  const expected = tf.tidy(() => tf.softmax(z).sub(ys).div(2));
  const [got, want] = [g.dataSync(), expected.dataSync()];
  for (let i = 0; i < got.length; i++) {
    assert.ok(Math.abs(got[i] - want[i]) < 1e-6, `${i}: ${got[i]} vs ${want[i]}`);
  }
  assert.ok(
    Math.abs(got[1] + 0.5) < 1e-6,
    "the true class of the saturated image is pushed up by 1/batch",
  );
  tf.dispose([z, ys, g, expected]);
});

Deno.test("logitsOf(model) is the model without its softmax: softmax(logits) equals predict(), for skiplab's heads", () => {
  const model = buildModel("resnet20", { seed: 3 });
  const xs = tf.randomNormal([4, 32, 32, 3], 0, 1, "float32", 5);
  const p = model.predict(xs) as tf.Tensor;
  const q = tf.tidy(() => tf.softmax(logitsOf(model)(xs, false)));
  const diff = tf.tidy(() => p.sub(q).abs().max().dataSync()[0]);
  assert.ok(diff < 1e-6, `max |predict - softmax(logits)| = ${diff}`);
  assert.equal(logitsOf(model), logitsOf(model), "built once per model");
  tf.dispose([xs, p, q]);
  model.dispose();
});

Deno.test("gradientStep trains a model that saturates on every image: every weight of the head gets a gradient", () => {
  // A dense head scaled so that class 0 gets probability ~1 on all images.
  const model = tf.sequential({
    layers: [
      tf.layers.flatten({ inputShape: [2, 2, 1] }),
      tf.layers.dense({ units: 3, activation: "softmax", name: "predictions" }),
    ],
  });
  model.layers[1].setWeights([tf.zeros([4, 3]), tf.tensor1d([50, 0, 0])]);
  const xs = tf.ones([2, 2, 2, 1]) as tf.Tensor4D;
  const ys = tf.tensor2d([[0, 1, 0], [0, 0, 1]]) as tf.Tensor2D;
  const infos = trainables(model);
  const { loss, correct, grads } = gradientStep(model, infos, { xs, ys });
  assert.ok(Math.abs(loss.dataSync()[0] - 50) < 1e-3, `loss ${loss.dataSync()[0]} (exact: 50)`);
  const bias = grads.get("predictions/bias")!.dataSync();
  assert.deepEqual(Array.from(bias, (v) => Math.round(v * 1e4) / 1e4), [1, -0.5, -0.5]);
  tf.dispose([xs, ys, loss, correct, ...grads.values()]);
  model.dispose();
});

Deno.test("logitsOf accepts a softmax activation layer at the end and refuses a model without a softmax, naming its last layer", () => {
  const input = tf.input({ shape: [3] });
  const dense = tf.layers.dense({ units: 2 }).apply(input) as tf.SymbolicTensor;
  const soft = tf.layers.activation({ activation: "softmax" }).apply(dense) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: soft });
  const xs = tf.tensor2d([[1, 2, 3]]);
  const z = logitsOf(model)(xs, false);
  const p = model.predict(xs) as tf.Tensor;
  const diff = tf.tidy(() => tf.softmax(z).sub(p).abs().max().dataSync()[0]);
  assert.ok(diff < 1e-6);
  const plain = tf.sequential({
    layers: [tf.layers.dense({ inputShape: [3], units: 2, name: "scores" })],
  });
  assert.throws(
    () => logitsOf(plain),
    /last layer must end in a softmax.*'scores' has activation 'linear'/,
  );
  tf.dispose([xs, z, p]);
  model.dispose();
  plain.dispose();
});
