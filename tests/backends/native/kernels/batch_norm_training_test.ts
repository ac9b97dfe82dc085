import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import {
  BATCH_NORM_RELU_TRAINING_KERNEL,
  BATCH_NORM_TRAINING_KERNEL,
} from "../../../../core/batch_norm_training.ts";
import { batchNormLayer } from "../../../../layers/batch_norm.ts";
import { NATIVE_BACKEND } from "../../../../backends/native/mod.ts";
import { ignore, random, relativeError, runOn } from "../_compare.ts";

const SHAPE: [number, number, number, number] = [3, 5, 4, 8];

/** A training-mode pass of a fresh layer: output, moving statistics, and the gradients of a loss. */
function trainingPass(): tf.Tensor[] {
  const layer = batchNormLayer("bn");
  const x = tf.tensor4d(random(3 * 5 * 4 * 8, 7).map((v) => 3 * v + 0.5), SHAPE);
  const w = tf.tensor4d(random(3 * 5 * 4 * 8, 8), SHAPE);
  layer.build(SHAPE);
  const [gamma, beta] = layer.trainableWeights.map((v) => v.read() as tf.Variable);
  gamma.assign(tf.tensor1d(random(8, 9).map((v) => v + 1.5)));
  beta.assign(tf.tensor1d(random(8, 10)));
  // A loss that is not linear in the output, so every gradient path matters.
  const loss = (xs: tf.Tensor) =>
    tf.sum(tf.mul(tf.square(layer.apply(xs, { training: true }) as tf.Tensor), w)) as tf.Scalar;
  const y = layer.apply(x, { training: true }) as tf.Tensor;
  const moving = layer.getWeights().slice(2).map((t) => t.clone());
  const { grads } = tf.variableGrads(() => loss(x), [gamma, beta]);
  const dx = tf.grad(loss)(x);
  const out = [y, ...moving, grads[gamma.name], grads[beta.name], dx];
  layer.weights.forEach((v) => v.dispose());
  return out;
}

Deno.test({
  name: "batchNormLayer() in training gives the cpu backend's output, statistics and gradients",
  ignore,
  fn() {
    assert.ok(tf.getKernel(BATCH_NORM_TRAINING_KERNEL, NATIVE_BACKEND) !== undefined);
    assert.ok(relativeError(trainingPass) < 1e-4);
  },
});

Deno.test({
  name: "native batch-norm training kernel includes gradients that reach the statistics",
  ignore,
  fn() {
    // tf.moments' own mean and variance, differentiated through, on cpu: the reference.
    const x = tf.tensor4d(random(2 * 3 * 3 * 4, 11), [2, 3, 3, 4]);
    const dm = tf.tensor1d(random(4, 12)), dv = tf.tensor1d(random(4, 13));
    const reference = () =>
      tf.grad((xs: tf.Tensor) => {
        const { mean, variance } = tf.moments(xs, [0, 1, 2]);
        return tf.add(tf.sum(tf.mul(mean, dm)), tf.sum(tf.mul(variance, dv)));
      })(x);
    const want = runOn("cpu", reference)[0];
    const got = runOn(NATIVE_BACKEND, () =>
      tf.grad((xs: tf.Tensor) => {
        const [, mean, variance] = tf.engine().runKernel(
          BATCH_NORM_TRAINING_KERNEL,
          { x: xs, scale: tf.ones([4]), offset: tf.zeros([4]) },
          { varianceEpsilon: 1e-3 },
        ) as tf.Tensor[];
        return tf.add(tf.sum(tf.mul(mean, dm)), tf.sum(tf.mul(variance, dv)));
      })(x))[0];
    want.forEach((v, i) => assert.ok(Math.abs(v - got[i]) < 1e-5, `dx[${i}]: ${got[i]} vs ${v}`));
    tf.dispose([x, dm, dv]);
  },
});

Deno.test({
  name: "batchNormLayer() stays tfjs's layer where the backend lacks the fused kernel",
  fn() {
    tf.setBackend("cpu");
    assert.equal(tf.getKernel(BATCH_NORM_TRAINING_KERNEL, "cpu"), undefined);
    const layer = batchNormLayer("bn");
    assert.equal(layer.getClassName(), "BatchNormalization");
    const x = tf.tensor4d(random(2 * 2 * 2 * 3, 3), [2, 2, 2, 3]);
    const y = layer.apply(x, { training: true }) as tf.Tensor;
    const { mean, variance } = tf.moments(x, [0, 1, 2]);
    const want = tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-3)));
    assert.ok(tf.max(tf.abs(tf.sub(y, want))).dataSync()[0] < 1e-5);
    tf.dispose([x, y, mean, variance, want]);
    layer.weights.forEach((v) => v.dispose());
  },
});

/**
 * One training pass of a batch norm on the output of a convolution (blocked on
 * native when its channels fill oneDNN's blocks) with the ReLU after it, fused
 * (`{ relu: true }`) or as its own layer: the output, the moving statistics
 * and the gradients of a loss with respect to the input, gamma and beta.
 */
function reluPass(fused: boolean, channels: number, poison = false): tf.Tensor[] {
  const shape: [number, number, number, number] = [2, 6, 5, channels];
  const layer = batchNormLayer("bn");
  layer.build(shape);
  const [gamma, beta] = layer.trainableWeights.map((v) => v.read() as tf.Variable);
  gamma.assign(tf.tensor1d(random(channels, 9).map((v) => v + 1.5)));
  beta.assign(tf.tensor1d(random(channels, 10)));
  const values = random(2 * 6 * 5 * 3, 7);
  if (poison) values[4] = NaN; // reaches one output channel through the filter's column
  const x = tf.tensor4d(values, [2, 6, 5, 3]);
  const filter = tf.tensor4d(random(9 * 3 * channels, 11), [3, 3, 3, channels]);
  const w = tf.tensor4d(random(2 * 6 * 5 * channels, 8), shape);
  const forward = (xs: tf.Tensor) => {
    const h = tf.conv2d(xs as tf.Tensor4D, filter, 1, "same");
    return fused
      ? layer.apply(h, { training: true, relu: true }) as tf.Tensor
      : tf.relu(layer.apply(h, { training: true }) as tf.Tensor);
  };
  const loss = (xs: tf.Tensor) => tf.sum(tf.mul(tf.square(forward(xs)), w)) as tf.Scalar;
  const y = forward(x);
  const moving = layer.getWeights().slice(2).map((t) => t.clone());
  const { grads } = tf.variableGrads(() => loss(x), [gamma, beta]);
  const out = [y, ...moving, grads[gamma.name], grads[beta.name], tf.grad(loss)(x)];
  layer.weights.forEach((v) => v.dispose());
  return out;
}

/** True when `a` and `b` hold the same float32 bits (NaN where NaN). */
function sameBits(a: Float32Array, b: Float32Array): boolean {
  return a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
}

Deno.test({
  name:
    "batchNormLayer() with { relu: true } runs the fused kernel in training and gives the unfused layer and ReLU's output, statistics and gradients, bit for bit, in NHWC and oneDNN's blocked layout",
  ignore,
  async fn() {
    for (const channels of [3, 16]) {
      const unfused = runOn(NATIVE_BACKEND, () => reluPass(false, channels));
      let fused: Float32Array[] = [];
      const { kernelNames } = await tf.profile(() => {
        fused = runOn(NATIVE_BACKEND, () => reluPass(true, channels));
      });
      assert.ok(kernelNames.includes(BATCH_NORM_RELU_TRAINING_KERNEL), `${channels} channels`);
      assert.ok(!kernelNames.includes("Relu"), `${channels} channels: ${kernelNames}`);
      fused.forEach((v, i) =>
        assert.ok(sameBits(v, unfused[i]), `${channels} channels, output ${i} differs`)
      );
      const cpu = runOn("cpu", () => reluPass(true, channels));
      fused.forEach((v, k) =>
        v.forEach((g, i) => assert.ok(Math.abs(g - cpu[k][i]) < 1e-3, `output ${k}[${i}]`))
      );
    }
  },
});

Deno.test({
  name:
    "the fused batch norm and ReLU keeps a NaN where tfjs's ReLU keeps it, and its gradients are tfjs's then",
  ignore,
  fn() {
    const want = runOn("cpu", () => reluPass(true, 16, true));
    const got = runOn(NATIVE_BACKEND, () => reluPass(true, 16, true));
    assert.ok(want[0].some(Number.isNaN), "the poisoned input reaches the output");
    want.forEach((w, k) =>
      w.forEach((v, i) => {
        const g = got[k][i];
        assert.ok(
          Number.isNaN(v) ? Number.isNaN(g) : Math.abs(g - v) < 1e-3,
          `output ${k}[${i}]: ${g}, want ${v}`,
        );
      })
    );
  },
});
