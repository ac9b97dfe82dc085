import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import {
  registerWasmGradientKernels,
  selectBackend,
  WASM_GRADIENT_KERNELS,
} from "../../../backends/mod.ts";
import { createModelRegistry, type ModelSpec } from "../../../models/mod.ts";
import { buildModel } from "../../../models/mod.ts";
import { relativeError, seeded } from "../_helpers.ts";

Deno.test("registerWasmGradientKernels() registers each kernel once", async () => {
  await selectBackend("wasm");
  assert.deepEqual(registerWasmGradientKernels(), []);
  for (const name of WASM_GRADIENT_KERNELS) assert.ok(tf.getKernel(name, "wasm"), name);
});

/** Runs one kernel on `backend` from plain arrays; returns its values. */
async function runKernel(
  backend: string,
  kernel: string,
  inputs: Record<string, { shape: number[]; values: Float32Array }>,
  attrs: Record<string, unknown>,
): Promise<Float32Array> {
  await selectBackend(backend as "cpu");
  const ts = Object.fromEntries(
    Object.entries(inputs).map(([k, v]) => [k, tf.tensor(v.values, v.shape)]),
  );
  const out = tf.engine().runKernel(kernel, ts, attrs as tf.NamedAttrMap) as tf.Tensor;
  const values = await out.data() as Float32Array;
  tf.dispose([out, ...Object.values(ts)]);
  return values;
}

const FILTER_CASES = [
  { x: [2, 3, 9, 9], dy: [2, 4, 5, 5], f: [3, 3, 3, 4], strides: 2, pad: "same", fmt: "NCHW" },
  {
    x: [2, 10, 7, 3],
    dy: [2, 12, 8, 4],
    f: [3, 2, 3, 4],
    strides: 1,
    pad: [[0, 0], [2, 2], [0, 2], [0, 0]],
    fmt: "NHWC",
  },
  { x: [2, 10, 7, 3], dy: [2, 4, 3, 4], f: [5, 3, 3, 4], strides: 3, pad: "same", fmt: "NHWC" },
];
for (const c of FILTER_CASES) {
  Deno.test(`Conv2DBackpropFilter on wasm matches cpu: ${JSON.stringify(c)}`, async () => {
    const inputs = {
      x: { shape: c.x, values: seeded(c.x, 1) },
      dy: { shape: c.dy, values: seeded(c.dy, 2) },
    };
    const attrs = { strides: c.strides, pad: c.pad, dataFormat: c.fmt, filterShape: c.f };
    const expected = await runKernel("cpu", "Conv2DBackpropFilter", inputs, attrs);
    const actual = await runKernel("wasm", "Conv2DBackpropFilter", inputs, attrs);
    assert.ok(relativeError(actual, expected) <= 1e-5);
  });
}

Deno.test("MaxPoolGrad on wasm matches cpu for all-negative windows and ties", async () => {
  // Negative windows broke wasm's own kernel; zeros are ReLU's ties.
  const xs = seeded([2, 6, 6, 3], 5).map((v, i) => i % 7 === 0 ? 0 : v - 0.5);
  for (const [k, s, pad] of [[2, 2, "valid"], [3, 2, "same"], [3, 1, "same"]] as const) {
    const grads = [];
    for (const backend of ["cpu", "wasm"]) {
      await selectBackend(backend as "cpu");
      const x = tf.tensor4d(xs, [2, 6, 6, 3]);
      const g = tf.grad((x: tf.Tensor) =>
        tf.maxPool(x as tf.Tensor4D, k, s, pad).relu().mul(x.max()).sum()
      )(x);
      grads.push(await g.data());
      tf.dispose([x, g]);
    }
    assert.ok(relativeError(grads[1], grads[0]) <= 1e-6, `${k}x${k}/${s} ${pad}`);
  }
});

Deno.test("skiplab's wasm kernels leave no tensors or wasm buffers behind", async () => {
  await selectBackend("wasm");
  const x = tf.tensor4d(seeded([2, 8, 8, 3], 1), [2, 8, 8, 3]);
  const w = tf.tensor4d(seeded([3, 3, 3, 4], 2), [3, 3, 3, 4]);
  const step = () => {
    const [gx, gw] = tf.grads((x: tf.Tensor, w: tf.Tensor) =>
      tf.maxPool(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, "same"), 2, 2, "same").sum()
    )([x, w]);
    tf.dispose([gx, gw]);
  };
  step();
  const tensors = tf.memory().numTensors;
  const buffers = tf.engine().backend.numDataIds();
  for (let i = 0; i < 3; i++) step();
  assert.equal(tf.memory().numTensors, tensors);
  assert.equal(tf.engine().backend.numDataIds(), buffers);
  tf.dispose([x, w]);
});

/** The spec with every width and depth cut to the minimum: same layer kinds, same kernels. */
function shrink(spec: ModelSpec): ModelSpec {
  if (spec.family === "plain_cnn") {
    return { ...spec, blocks: spec.blocks.map((b) => ({ ...b, filters: 4 })) };
  }
  return {
    ...spec,
    stem: { ...spec.stem, filters: 4 },
    stages: spec.stages.map((s) => ({ ...s, filters: 4, blocks: Math.min(s.blocks, 2) })),
  };
}

Deno.test("every kernel a training step of each registered model dispatches exists on wasm", async () => {
  await selectBackend("wasm"); // registers skiplab's kernels
  await selectBackend("cpu");
  const registry = createModelRegistry();
  const missing: string[] = [];
  for (const name of registry.names()) {
    const model = buildModel(shrink(registry.get(name)), { seed: 1 });
    const optimizer = tf.train.adam(1e-3);
    const x = tf.tensor4d(seeded([2, 32, 32, 3], 3), [2, 32, 32, 3]);
    const y = tf.oneHot(tf.tensor1d([1, 7], "int32"), 10);
    const { kernelNames } = await tf.profile(() => {
      optimizer.minimize(() => {
        const p = model.apply(x, { training: true }) as tf.Tensor;
        return tf.metrics.categoricalCrossentropy(y, p).mean() as tf.Scalar;
      });
    });
    // Profiles also list op scopes ("fusedConv2d__op"); keep real kernels.
    for (const k of new Set(kernelNames)) {
      if (tf.getKernel(k, "cpu") && !tf.getKernel(k, "wasm")) missing.push(`${name}: ${k}`);
    }
    tf.dispose([x, y]);
    optimizer.dispose();
    model.dispose();
  }
  assert.deepEqual(missing, []);
});
