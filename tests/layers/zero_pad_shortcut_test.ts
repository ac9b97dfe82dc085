import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { selectBackend } from "../../backends/mod.ts";
import { ZeroPadShortcut } from "../../layers/zero_pad_shortcut.ts";
import { buildModel } from "../../models/mod.ts";
import { trainables } from "../../train/step.ts";
import { relativeError, seeded } from "../backends/_helpers.ts";

/** The shortcut by definition: x[:, ::2, ::2, :] and zero channels after, on plain arrays. */
function reference(x: Float32Array, [n, h, w, c]: number[], filters: number): Float32Array {
  const [h2, w2] = [Math.ceil(h / 2), Math.ceil(w / 2)];
  const out = new Float32Array(n * h2 * w2 * filters);
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < h2; i++) {
      for (let j = 0; j < w2; j++) {
        for (let k = 0; k < c; k++) {
          out[((b * h2 + i) * w2 + j) * filters + k] = x[((b * h + 2 * i) * w + 2 * j) * c + k];
        }
      }
    }
  }
  return out;
}

Deno.test("ZeroPadShortcut keeps every second pixel and appends zero channels, even and odd sides", async () => {
  await selectBackend("cpu");
  for (const shape of [[2, 8, 8, 3], [1, 5, 7, 2]]) {
    const values = seeded(shape, 5);
    const x = tf.tensor(values, shape);
    const y = new ZeroPadShortcut({ stride: 2, filters: 6, name: "p" }).apply(x) as tf.Tensor;
    assert.deepEqual(y.shape, [shape[0], Math.ceil(shape[1] / 2), Math.ceil(shape[2] / 2), 6]);
    assert.deepEqual(Array.from(await y.data()), Array.from(reference(values, shape, 6)));
    tf.dispose([x, y]);
  }
  assert.throws(() => new ZeroPadShortcut({ stride: 3, filters: 4, name: "p" }), {
    message: /Cannot build "p": 'stride' must be 1 or 2, got 3/,
  });
});

/** Gradients of every trainable weight of resnet20 for one batch, on a backend, from given weights. */
async function resnetGradients(backend: string, weights: Float32Array[] | null) {
  await selectBackend(backend as "cpu");
  const model = buildModel("resnet20", { seed: 3 });
  if (weights) {
    tf.tidy(() =>
      model.setWeights(model.getWeights().map((w, i) => tf.tensor(weights[i], w.shape)))
    );
  }
  const x = tf.tensor4d(seeded([2, 32, 32, 3], 8), [2, 32, 32, 3]);
  const y = tf.oneHot(tf.tensor1d([1, 6], "int32"), 10);
  const infos = trainables(model);
  const { value, grads } = tf.variableGrads(() => {
    const p = model.apply(x, { training: true }) as tf.Tensor;
    return tf.metrics.categoricalCrossentropy(y, p).mean() as tf.Scalar;
  }, infos.map((i) => i.variable));
  const out = {
    weights: await Promise.all(model.getWeights().map((w) => w.data() as Promise<Float32Array>)),
    grads: await Promise.all(
      infos.map((i) => grads[i.variable.name].data() as Promise<Float32Array>),
    ),
    kernels: tf.getBackend(),
  };
  tf.dispose([x, y, value, ...Object.values(grads)]);
  model.dispose();
  return out;
}

Deno.test("resnet20's zero-padding shortcuts train on cpu, wasm and native with the same gradients", async () => {
  const cpu = await resnetGradients("cpu", null);
  for (const backend of ["wasm", "native"]) {
    const status = await selectBackend(backend as "cpu").then(() => null, (e: Error) => e.message);
    if (status !== null) {
      console.log(`skipping ${backend}: ${status.split("\n")[0]}`);
      continue;
    }
    const other = await resnetGradients(backend, cpu.weights);
    assert.equal(other.kernels, backend);
    const largest = Math.max(
      ...cpu.grads.map((g) => g.reduce((a, v) => Math.max(a, Math.abs(v)), 0)),
    );
    const errors = other.grads.map((g, i) => relativeError(g, cpu.grads[i], 0.01 * largest));
    const worst = Math.max(...errors);
    assert.ok(
      worst <= 1e-3,
      `${backend}: worst relative error ${worst} (weight ${errors.indexOf(worst)})`,
    );
  }
  await selectBackend("cpu");
});

Deno.test("ZeroPadShortcut on native (one oneDNN kernel) gives the cpu layer's values and gradients exactly", async () => {
  const status = await selectBackend("native").then(() => null, (e: Error) => e.message);
  if (status !== null) {
    console.log(`skipping native: ${status.split("\n")[0]}`);
    return;
  }
  // [input shape, stride, filters]: blocked-sized channels, odd sides, stride 1 with padding.
  const cases: [number[], number, number][] = [
    [[4, 8, 8, 16], 2, 32],
    [[2, 5, 7, 3], 2, 6],
    [[2, 6, 6, 32], 1, 64],
  ];
  for (const [shape, stride, filters] of cases) {
    const values = seeded(shape, 9);
    const dyValues = seeded([
      shape[0],
      Math.ceil(shape[1] / stride),
      Math.ceil(shape[2] / stride),
      filters,
    ], 10);
    const run = async (backend: string) => {
      await selectBackend(backend as "cpu");
      const layer = new ZeroPadShortcut({ stride, filters, name: "p" });
      const x = tf.tensor4d(values, shape as [number, number, number, number]);
      const dy = tf.tensor(dyValues, [...layer.computeOutputShape(shape)] as number[]);
      // Through a 1x1 convolution first, so that on native the input arrives blocked.
      const eye = tf.tidy(() =>
        tf.eye(shape[3]).reshape([1, 1, shape[3], shape[3]]) as tf.Tensor4D
      );
      const f = (a: tf.Tensor) =>
        (layer.apply(tf.conv2d(a as tf.Tensor4D, eye, 1, "same")) as tf.Tensor).mul(dy).sum();
      const y = tf.tidy(() => layer.apply(tf.conv2d(x, eye, 1, "same")) as tf.Tensor);
      const [dx] = tf.grads(f)([x]);
      const out = [await y.data(), await dx.data()].map((v) => Array.from(v));
      tf.dispose([x, dy, eye, y, dx]);
      return out;
    };
    const [cpu, native] = [await run("cpu"), await run("native")];
    assert.deepEqual(native[0], cpu[0], `${shape} stride ${stride}: values`);
    assert.deepEqual(native[1], cpu[1], `${shape} stride ${stride}: gradient`);
  }
  await selectBackend("cpu");
});
