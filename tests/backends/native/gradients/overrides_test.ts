import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { NATIVE_BACKEND } from "../../../../backends/native/mod.ts";
import { ignore, random, relativeError, runOn } from "../_compare.ts";

const t = (shape: number[], seed: number) =>
  tf.tensor(random(shape.reduce((p, v) => p * v, 1), seed), shape);

function close(f: () => tf.Tensor | tf.Tensor[], what: string): void {
  const err = relativeError(f);
  assert.ok(err <= 1e-4, `${what}: relative error ${err}`);
}

Deno.test({
  name: "native Relu, Square and Mean gradients match cpu (NaN, leading and inner axes, keepDims)",
  ignore,
  fn() {
    const x = () => t([4, 3, 3, 5], 1).mul(tf.tensor1d([1, 1, 1, 1, NaN]));
    close(() => tf.grad((a: tf.Tensor) => tf.relu(a).mul(t([4, 3, 3, 5], 2)).sum())(x()), "relu");
    close(
      () => tf.grad((a: tf.Tensor) => tf.square(a).mul(t([4, 3, 3, 5], 3)).sum())(x()),
      "square",
    );
    for (
      const [axes, keep] of [[[0, 1, 2], false], [[0], true], [[1, 2], false], [[3], true]] as const
    ) {
      close(
        () =>
          tf.grad((a: tf.Tensor) => tf.mean(a, [...axes], keep).square().sum())(t([4, 3, 3, 5], 4)),
        `mean over ${axes} keepDims ${keep}`,
      );
    }
    // Second order: the Mean node saves no input on native, its gradient still differentiates.
    close(
      () =>
        tf.grad((a: tf.Tensor) => tf.grad((b: tf.Tensor) => tf.mean(b.square(), 0).sum())(a).sum())(
          t([6, 4], 5),
        ),
      "mean second order",
    );
  },
});

Deno.test({
  name: "native batch-norm gradients match cpu on a dense layer's [batch, features] input",
  ignore,
  fn() {
    close(() => {
      const f = (a: tf.Tensor, g: tf.Tensor, o: tf.Tensor) => {
        const { mean, variance } = tf.moments(a, [0]);
        return tf.batchNorm(a, mean, variance, o, g, 1e-3).mul(t([32, 10], 7)).sum();
      };
      return tf.grads(f)([t([32, 10], 6), t([10], 8).add(1), t([10], 9)]);
    }, "dense batch norm");
  },
});

Deno.test({
  name: "native backprop frees its intermediates and leaves a caller's dy and saved inputs usable",
  ignore,
  fn() {
    tf.setBackend(NATIVE_BACKEND);
    const x = t([2, 4, 4, 3], 8), dy = t([2, 4, 4, 3], 9);
    const before = tf.memory().numTensors;
    const f = (a: tf.Tensor) => tf.relu(tf.square(a).sub(tf.mean(a, [0, 1, 2])));
    const g = tf.grad(f)(x, dy);
    assert.equal(tf.memory().numTensors, before + 1, "only the gradient is new");
    assert.ok(!dy.isDisposed && !x.isDisposed);
    const want = runOn("cpu", () => tf.grad(f)(x, dy))[0];
    tf.setBackend(NATIVE_BACKEND);
    const got = g.dataSync();
    want.forEach((w, i) => assert.ok(Math.abs(w - got[i]) <= 1e-5, `${i}: ${got[i]} vs ${w}`));
    tf.dispose([x, dy, g]);
  },
});

Deno.test({
  name: "native outputs reuse disposed arrays, but never one a caller has read",
  ignore,
  fn() {
    tf.setBackend(NATIVE_BACKEND);
    const pool = (tf.backend() as unknown as { buffers: { counts: { reused: number } } }).buffers;
    const x = t([1000], 10);
    tf.relu(x).dispose();
    const reused = pool.counts.reused;
    tf.relu(x).dispose();
    assert.ok(pool.counts.reused > reused, "the second relu reuses the first one's array");
    const y = tf.relu(x);
    const seen = y.dataSync();
    const copy = Float32Array.from(seen);
    y.dispose();
    const z = tf.neg(x);
    assert.deepEqual(seen, copy, "a read array is not handed to the next output");
    // A view (cpu Slice of a contiguous range) keeps its source array out of recycling too.
    const w = tf.relu(x), s = tf.slice(w, [0], [10]);
    const sv = Float32Array.from(s.dataSync());
    w.dispose();
    tf.neg(x).dispose();
    assert.deepEqual(s.dataSync(), sv);
    tf.dispose([x, z, s]);
  },
});

Deno.test({
  name: "native kernels overwrite every element of a recycled output array",
  ignore,
  fn() {
    const x = () => t([4, 8, 8, 16], 20);
    // Each case first leaves an array of the output's size, full of 7s, to be recycled.
    const dirty = (shape: number[]) => tf.fill(shape, 7).neg().dispose();
    for (const pool of [tf.maxPool, tf.avgPool]) {
      for (const [k, s, p] of [[2, 2, "valid"], [3, 1, "same"], [3, 2, "same"]] as const) {
        close(() => {
          dirty([4, 8, 8, 16]);
          return tf.grad((a: tf.Tensor) => pool(a as tf.Tensor4D, k, s, p).square().sum())(x());
        }, `${pool.name} grad ${k} ${s} ${p}`);
      }
    }
    close(() => {
      dirty([3, 3, 16, 32]);
      const w = t([3, 3, 16, 32], 21);
      return tf.grad((v: tf.Tensor) =>
        tf.conv2d(x() as tf.Tensor4D, v as tf.Tensor4D, 1, "same").square().sum()
      )(w);
    }, "conv filter grad");
  },
});
