/**
 * The forward pass the trainer, evaluate() and predict() run: model.apply's
 * values and gradients, intermediates freed after their last reader, batch
 * norms folded into convolutions in inference.
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { buildModel, resnetSpec } from "../../models/mod.ts";
import { forwardOf } from "../../train/forward.ts";
import { gradientStep, trainables } from "../../train/step.ts";
import { relativeError, seeded } from "../backends/_helpers.ts";
import { ignore } from "../backends/native/_compare.ts";
import { NATIVE_BACKEND } from "../../backends/native/mod.ts";
import { BATCH_NORM_RELU_TRAINING_KERNEL } from "../../core/batch_norm_training.ts";

await tf.setBackend("cpu");

const spec = resnetSpec({ name: "fwd_resnet", layers: [1, 1], width: 4, dropout: 0.5 });
const XS = () => tf.tensor4d(seeded([6, 32, 32, 3], 1), [6, 32, 32, 3]);
const YS = () =>
  tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 5], "int32"), 10).cast("float32") as tf.Tensor2D;

/** Loss, every gradient and the peak of tensor bytes of one training pass of a fresh seed-0 model, run by `forward`. */
async function trainingPass(forward: (m: tf.LayersModel) => (xs: tf.Tensor) => tf.Tensor) {
  const model = buildModel(spec, { seed: 0 });
  const [xs, ys] = [XS(), YS()];
  const infos = trainables(model);
  const run = forward(model);
  let result: ReturnType<typeof tf.variableGrads> | undefined;
  const { peakBytes, kernelNames } = await tf.profile(() =>
    void (result = tf.variableGrads(() => {
      // Cross-entropy of the softmax outputs: every weight, the head's included, has a gradient.
      return tf.neg(tf.mean(tf.sum(tf.mul(ys, tf.log(run(xs))), -1))) as tf.Scalar;
    }, infos.map((i) => i.variable)))
  );
  const { value, grads } = result!;
  const out = {
    loss: value.dataSync()[0],
    grads: infos.map((i) => grads[i.variable.name].dataSync()),
    peakBytes,
    kernelNames,
  };
  tf.dispose([value, xs, ys, ...Object.values(grads)]);
  model.dispose();
  return out;
}

Deno.test("forwardOf in training gives model.apply's loss and gradients, bit for bit (cpu)", async () => {
  const stock = await trainingPass((m) => (xs) => m.apply(xs, { training: true }) as tf.Tensor);
  const ours = await trainingPass((m) => (xs) => forwardOf(m)(xs, true));
  assert.equal(ours.loss, stock.loss);
  assert.equal(ours.grads.length, stock.grads.length);
  ours.grads.forEach((g, i) => assert.deepEqual(g, stock.grads[i], `gradient ${i}`));
});

Deno.test({
  name:
    "on native, a training step under forwardOf runs each batch norm a ReLU follows with the ReLU fused, gives model.apply's loss and gradients, and peaks at fewer tensor bytes (the backward pass frees as it goes)",
  ignore,
  async fn() {
    await tf.setBackend(NATIVE_BACKEND);
    try {
      const stock = await trainingPass((m) => (xs) => m.apply(xs, { training: true }) as tf.Tensor);
      const ours = await trainingPass((m) => (xs) => forwardOf(m)(xs, true));
      assert.ok(relativeError([ours.loss], [stock.loss]) < 1e-6, `${ours.loss} vs ${stock.loss}`);
      // Each batch norm a ReLU follows ran with the ReLU in it: same gradients, fewer kernels.
      assert.ok(ours.kernelNames.includes(BATCH_NORM_RELU_TRAINING_KERNEL));
      assert.ok(!stock.kernelNames.includes(BATCH_NORM_RELU_TRAINING_KERNEL));
      ours.grads.forEach((g, i) =>
        assert.ok(relativeError(g, stock.grads[i]) < 1e-5, `gradient ${i}`)
      );
      // Outputs no gradient saved (batch-norm outputs, residual sums) are gone before the pass ends.
      assert.ok(
        ours.peakBytes < 0.8 * stock.peakBytes,
        `peak tensor bytes: ${ours.peakBytes} vs tfjs's ${stock.peakBytes}`,
      );
    } finally {
      await tf.setBackend("cpu");
    }
  },
});

/** A model trained two steps (so its batch-norm statistics are not the initial ones). */
function trainedModel(): tf.LayersModel {
  const model = buildModel(spec, { seed: 0 });
  const infos = trainables(model);
  const [xs, ys] = [XS(), YS()];
  for (let i = 0; i < 2; i++) {
    const r = gradientStep(model, infos, { xs, ys });
    infos.forEach((info) =>
      info.variable.assign(info.variable.sub(r.grads.get(info.key)!.mul(0.5)))
    );
    tf.dispose([r.loss, r.correct, ...r.grads.values()]);
  }
  tf.dispose([xs, ys]);
  return model;
}

Deno.test("forwardOf in inference folds each batch norm (and its ReLU) into the convolution before it: no batch-norm kernel runs, model.apply's outputs within float rounding, nothing kept once released", async () => {
  const model = trainedModel();
  const xs = XS();
  const forward = forwardOf(model);
  const before = tf.memory().numTensors;
  let ours: tf.Tensor | undefined;
  const p = await tf.profile(() => void (ours = forward(xs, false)));
  const stock = tf.tidy(() => model.apply(xs, { training: false }) as tf.Tensor);
  const kernels = new Set(p.kernels.map((k) => k.name));
  assert.ok(!kernels.has("FusedBatchNorm"), [...kernels].join(", "));
  assert.ok(kernels.has("FusedConv2D"));
  const err = relativeError(ours!.dataSync(), stock.dataSync());
  assert.ok(err < 1e-5, `relative error ${err}`);
  forward.release();
  assert.equal(tf.memory().numTensors, before + 2, "once released, only the two outputs remain");
  // The stock path ran batch norms that moved something: folding is not a no-op here.
  const unfolded = tf.tidy(() => model.apply(xs, { training: true }) as tf.Tensor);
  assert.ok(relativeError(unfolded.dataSync(), stock.dataSync()) > 1e-3);
  tf.dispose([xs, ours!, stock, unfolded]);
  model.dispose();
});

Deno.test("forwardOf keeps the folded weights between inference passes while the weights stay, folds again when they change, and frees them on a training pass or release()", async () => {
  const model = trainedModel();
  const xs = XS();
  const forward = forwardOf(model);
  const stock = () => tf.tidy(() => model.apply(xs, { training: false }) as tf.Tensor);
  const base = tf.memory().numTensors;
  const first = forward(xs, false);
  const kept = tf.memory().numTensors - base - 1;
  assert.ok(kept >= 2, `the folded filter and bias are kept (${kept} tensors)`);
  // A second pass folds nothing: the one new tensor is its output, and it runs no Rsqrt.
  const p = await tf.profile(() => void forward(xs, false).dispose());
  assert.equal(tf.memory().numTensors, base + 1 + kept);
  assert.ok(!p.kernels.some((k) => k.name === "Rsqrt"), p.kernels.map((k) => k.name).join());
  // A training pass of the stock model moves the batch norms' statistics (new tensors):
  // the next inference pass folds them anew and agrees with model.apply again.
  tf.tidy(() => void model.apply(xs, { training: true }));
  const [ours, want] = [forward(xs, false), stock()];
  assert.ok(relativeError(ours.dataSync(), want.dataSync()) < 1e-5);
  assert.equal(tf.memory().numTensors, base + 3 + kept, "the stale folds were freed");
  // A training pass through forwardOf frees what inference kept.
  tf.tidy(() => void forward(xs, true));
  assert.equal(tf.memory().numTensors, base + 3);
  forward(xs, false).dispose();
  forward.release();
  assert.equal(tf.memory().numTensors, base + 3);
  tf.dispose([xs, first, ours, want]);
  model.dispose();
});

Deno.test("an inference pass under a gradient is not folded, and its input gradient is model.apply's", () => {
  const model = trainedModel();
  const xs = XS();
  const forward = forwardOf(model);
  const g = (f: (x: tf.Tensor) => tf.Tensor) => tf.grad((x: tf.Tensor) => tf.sum(tf.log(f(x))))(xs);
  const [ours, stock] = [
    g((x) => forward(x, false)),
    g((x) => model.apply(x, { training: false }) as tf.Tensor),
  ];
  assert.deepEqual(ours.dataSync(), stock.dataSync());
  tf.dispose([xs, ours, stock]);
  model.dispose();
});
