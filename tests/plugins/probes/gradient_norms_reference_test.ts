/**
 * probes/gradient-norms, fed by the real trainer, against the closed-form
 * gradient of softmax cross-entropy on a model small enough to differentiate
 * by hand: a convolution whose kernel covers the whole image (so it is a
 * linear map of the 3072 inputs), then a softmax dense layer. One epoch of one
 * full batch: the epoch's recorded norm is the norm at the initial weights.
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../../../core/rng.ts";
import type { ImageSet } from "../../../data/image_set.ts";
import { gradientNorms } from "../../../plugins/probes/gradient_norms.ts";
import { train } from "../../../train/trainer.ts";

await tf.setBackend("cpu");

const N = 8, CLASSES = 3, HIDDEN = 2, FEATURES = 32 * 32 * 3;

function tinySet(): ImageSet {
  const rng = new Rng(4);
  const images = Uint8Array.from({ length: N * FEATURES }, () => Math.floor(rng.next() * 256));
  const labels = Uint8Array.from({ length: N }, (_, i) => i % CLASSES);
  return { images, labels, count: N, shape: [32, 32, 3], classNames: ["a", "b", "c"] };
}

/** L2 norms of dL/dθ per layer, L the mean cross-entropy, in float64 from the weights. */
function analyticNorms(set: ImageSet, weights: Float32Array[]): Record<string, number> {
  const [kernel, convBias, dense, denseBias] = weights; // kernel [32,32,3,HIDDEN] row-major
  const x = (i: number, f: number) => (set.images[i * FEATURES + f] / 255 - 0.5) / 0.5;
  const dK = new Float64Array(FEATURES * HIDDEN), dbc = new Float64Array(HIDDEN);
  const dW = new Float64Array(HIDDEN * CLASSES), dbd = new Float64Array(CLASSES);
  for (let i = 0; i < N; i++) {
    const h = Array.from(convBias, Number);
    for (let f = 0; f < FEATURES; f++) {
      for (let j = 0; j < HIDDEN; j++) h[j] += x(i, f) * kernel[f * HIDDEN + j];
    }
    const logits = Array.from(denseBias, Number);
    for (let j = 0; j < HIDDEN; j++) {
      for (let k = 0; k < CLASSES; k++) logits[k] += h[j] * dense[j * CLASSES + k];
    }
    const top = Math.max(...logits), e = logits.map((v) => Math.exp(v - top));
    const sum = e.reduce((a, b) => a + b, 0);
    // dL/dlogits of the batch mean: (softmax − one-hot) / N.
    const g = e.map((v, k) => (v / sum - (k === set.labels[i] ? 1 : 0)) / N);
    const gh = new Array(HIDDEN).fill(0);
    for (let j = 0; j < HIDDEN; j++) {
      for (let k = 0; k < CLASSES; k++) {
        dW[j * CLASSES + k] += h[j] * g[k];
        gh[j] += g[k] * dense[j * CLASSES + k];
      }
    }
    g.forEach((v, k) => dbd[k] += v);
    for (let j = 0; j < HIDDEN; j++) {
      dbc[j] += gh[j];
      for (let f = 0; f < FEATURES; f++) dK[f * HIDDEN + j] += x(i, f) * gh[j];
    }
  }
  const norm = (...parts: Float64Array[]) =>
    Math.sqrt(parts.reduce((a, p) => a + p.reduce((s, v) => s + v * v, 0), 0));
  return { conv: norm(dK, dbc), fc: norm(dW, dbd) };
}

Deno.test("gradientNorms records each layer's L2 gradient norm as the closed form gives it", async () => {
  const set = tinySet();
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({
        name: "conv",
        inputShape: [32, 32, 3],
        filters: HIDDEN,
        kernelSize: 32,
        kernelInitializer: tf.initializers.randomNormal({ stddev: 0.02, seed: 1 }),
        biasInitializer: tf.initializers.randomNormal({ stddev: 0.1, seed: 2 }),
      }),
      tf.layers.flatten({ name: "flatten" }),
      tf.layers.dense({
        name: "fc",
        units: CLASSES,
        activation: "softmax",
        kernelInitializer: tf.initializers.randomNormal({ stddev: 1, seed: 3 }),
        biasInitializer: tf.initializers.randomNormal({ stddev: 0.1, seed: 4 }),
      }),
    ],
  });
  const initial = model.getWeights().map((w) => w.dataSync() as Float32Array);
  const expected = analyticNorms(set, initial);
  const plugin = gradientNorms.create(gradientNorms.schema.parse({}));
  const result = await train({
    model,
    train: set,
    val: set,
    epochs: 1,
    batchSize: N,
    seed: 1,
    optimizer: { type: "sgd", lr: 0.1 },
    plugins: [plugin],
  });
  model.dispose();
  // One full batch per epoch: the `init` row (before any update) and epoch 0's mean are both the
  // norm of that first step's gradient; `final` rows are of the trained weights.
  for (const point of ["init", "epoch"]) {
    const rows = result.tables.gradients.filter((r) => r.point === point && r.epoch === 0);
    const byLayer = Object.fromEntries(rows.map((r) => [r.layer, r.norm as number]));
    assert.deepEqual(Object.keys(byLayer).sort(), ["conv", "fc"], point);
    for (const layer of ["conv", "fc"]) {
      const rel = Math.abs(byLayer[layer] - expected[layer]) / expected[layer];
      assert.ok(
        rel < 1e-4,
        `${point} ${layer}: recorded ${byLayer[layer]}, closed form ${expected[layer]}`,
      );
    }
  }
  // The two layers' norms differ by far more than the tolerance: the check tells them apart.
  assert.ok(Math.abs(expected.conv - expected.fc) / expected.fc > 0.01, JSON.stringify(expected));
});
