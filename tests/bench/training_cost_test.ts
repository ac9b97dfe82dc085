import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { buildModel, summarizeModel } from "../../models/mod.ts";
import { gradientStep, trainables } from "../../train/step.ts";
import { profileStep } from "../../bench/profile.ts";
import { convFlops, trainingCost } from "../../bench/training_cost.ts";

for (const name of ["resnet18", "resnet20"]) {
  Deno.test(`trainingCost() of ${name} is 3 forward passes less the first layer's backward data`, () => {
    const model = buildModel(name, { seed: 0 });
    try {
      const batch = 8;
      const cost = trainingCost(model, batch);
      const forward = summarizeModel(model).flops; // one image, 2 × multiply-adds
      const first = cost.passes[0];
      assert.equal(first.op.kind, "conv");
      assert.equal(cost.inferFlops, batch * forward);
      assert.equal(cost.trainFlops, 3 * batch * forward - first.flops);
      // The image is not trained: the first layer alone has no backward-data pass.
      const layers = new Set(cost.passes.map((p) => p.layer));
      const withoutData = [...layers].filter((l) =>
        !cost.passes.some((p) => p.layer === l && p.pass === "backwardData")
      );
      assert.deepEqual(withoutData, [first.layer]);
      assert.ok(cost.passes.every((p) => p.flops > 0));
    } finally {
      model.dispose();
    }
  });
}

Deno.test("trainingCost() pads a stride-2 'same' convolution as tfjs does: bottom and right only", () => {
  const model = buildModel("resnet18", { seed: 0 });
  try {
    const strided = trainingCost(model, 4).passes.find((p) =>
      p.op.kind === "conv" && p.op.shape.strides[0] === 2 && p.op.shape.kernel[0] === 3
    );
    assert.ok(strided?.op.kind === "conv");
    assert.deepEqual(strided.op.shape.pads, [0, 1, 0, 1]);
    assert.equal(strided.op.shape.height, 32);
    assert.equal(strided.flops, convFlops(strided.op.shape));
    // 32x32 in, stride 2: a 16x16 output.
    const s = strided.op.shape;
    assert.equal(strided.flops, 2 * 4 * 16 * 16 * s.outChannels * s.inChannels * 9);
  } finally {
    model.dispose();
  }
});

Deno.test("trainingCost() turns a dense layer's passes into tfjs's matrix products", () => {
  const model = buildModel("resnet20", { seed: 0 });
  try {
    const dense = trainingCost(model, 16).passes.filter((p) => p.op.kind === "gemm");
    assert.deepEqual(
      dense.map((p) => [p.pass, p.op.shape]),
      [
        ["forward", { m: 16, n: 10, k: 64, transA: false, transB: false }],
        ["backwardData", { m: 16, n: 64, k: 10, transA: false, transB: true }],
        ["backwardWeights", { m: 64, n: 10, k: 16, transA: true, transB: false }],
      ],
    );
  } finally {
    model.dispose();
  }
});

Deno.test("trainingCost() refuses a batch that is not a positive integer, naming it", () => {
  const model = buildModel("baseline_cnn", { seed: 0 });
  try {
    assert.throws(() => trainingCost(model, 0), {
      name: "RangeError",
      message: "roofline: 'batch' must be a positive integer, got 0",
    });
  } finally {
    model.dispose();
  }
});

Deno.test("trainingCost() counts the convolution kernels a real training step runs, and their FLOPs", async () => {
  await tf.setBackend("cpu");
  const model = buildModel("baseline_cnn", { seed: 0 });
  const batch = {
    xs: tf.randomUniform([2, 32, 32, 3], -1, 1, "float32", 1) as tf.Tensor4D,
    ys: tf.oneHot(tf.tensor1d([1, 7], "int32"), 10) as tf.Tensor2D,
  };
  try {
    const infos = trainables(model);
    const step = await profileStep(async () => {
      const { loss, correct, grads } = gradientStep(model, infos, batch);
      tf.dispose([loss, correct, ...grads.values()]);
      await Promise.resolve();
    });
    const cost = trainingCost(model, 2);
    const kernel = (...names: string[]) => step.kernels.filter((k) => names.includes(k.name));
    const convs = (pass: string) =>
      cost.passes.filter((p) => p.op.kind === "conv" && p.pass === pass);
    const calls = (ks: { calls: number }[]) => ks.reduce((s, k) => s + k.calls, 0);
    assert.equal(calls(kernel("Conv2D", "FusedConv2D")), convs("forward").length);
    assert.equal(calls(kernel("Conv2DBackpropInput")), convs("backwardData").length);
    assert.equal(calls(kernel("Conv2DBackpropFilter")), convs("backwardWeights").length);
    // profileStep's GFLOP/s times its ms: the kernels' own FLOPs, from their shapes.
    const flops = (ks: { ms: number; gflops: number | null }[]) =>
      ks.reduce((s, k) => s + (k.gflops ?? 0) * k.ms * 1e6, 0);
    const sum = (ps: { flops: number }[]) => ps.reduce((s, p) => s + p.flops, 0);
    const close = (a: number, b: number) => Math.abs(a - b) <= 1e-6 * b;
    assert.ok(close(flops(kernel("Conv2D", "FusedConv2D")), sum(convs("forward"))));
    assert.ok(close(flops(kernel("Conv2DBackpropFilter")), sum(convs("backwardWeights"))));
    assert.ok(close(flops(kernel("Conv2DBackpropInput")), sum(convs("backwardData"))));
  } finally {
    tf.dispose([batch.xs, batch.ys]);
    model.dispose();
  }
});
