import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { ignore, random, relativeError } from "../_compare.ts";
import { layoutOf } from "../../../../backends/native/memory/layout.ts";

// Large enough for the oneDNN paths (at least 2^17 elements); smaller ones stay in JS.
const SHAPE = [8, 16, 32, 64];
const t = (shape: number[], seed: number) =>
  tf.tensor(random(shape.reduce((p, v) => p * v, 1), seed), shape);

function close(f: () => tf.Tensor | tf.Tensor[], what: string, tolerance = 1e-6): void {
  const err = relativeError(f);
  assert.ok(err <= tolerance, `${what}: relative error ${err}`);
}

Deno.test({
  name: "native large binary ops match cpu: same shape, per-channel, leading and scalar broadcasts",
  ignore,
  fn() {
    const ops = { add: tf.add, sub: tf.sub, mul: tf.mul, div: tf.div };
    for (const [name, op] of Object.entries(ops)) {
      close(() => op(t(SHAPE, 1), t(SHAPE, 2)), `${name} same shape`);
      close(() => op(t(SHAPE, 3), t([64], 4)), `${name} per channel`);
      close(() => op(t([64], 5), t(SHAPE, 6)), `${name} first operand broadcast`);
      close(() => op(t(SHAPE, 7), tf.scalar(0.37)), `${name} scalar`);
      close(() => op(t([8, 1, 1, 64], 8), t(SHAPE, 9)), `${name} [n,1,1,c] first operand`);
    }
  },
});

Deno.test({
  name: "native large Relu, Square, Neg and Square's gradient match cpu, NaN included",
  ignore,
  fn() {
    const x = () => t(SHAPE, 10).mul(tf.tensor1d([...Array(63).fill(1), NaN]));
    close(() => tf.relu(x()), "relu");
    close(() => tf.square(x()), "square");
    close(() => tf.neg(x()), "neg");
    close(
      () => tf.grad((a: tf.Tensor) => a.square().mul(t(SHAPE, 11)).sum())(t(SHAPE, 12)),
      "square grad",
    );
  },
});

Deno.test({
  name: "native large Sum and Mean match cpu over batch and image axes, and elsewhere",
  ignore,
  fn() {
    for (const axes of [[0, 1, 2], [2, 0, 1], [0], [1, 2], [3]]) {
      for (const keep of [false, true]) {
        close(() => tf.sum(t(SHAPE, 13).add(0.5), axes, keep), `sum ${axes} ${keep}`, 1e-5);
        close(() => tf.mean(t(SHAPE, 14).add(0.5), axes, keep), `mean ${axes} ${keep}`, 1e-5);
      }
    }
    close(
      () => tf.grad((a: tf.Tensor) => tf.mean(a, [0, 1, 2]).square().sum())(t(SHAPE, 15)),
      "mean gradient",
    );
  },
});

Deno.test({
  name: "native large Relu keeps NaN and -0, and maps -Infinity to 0",
  ignore,
  fn() {
    tf.setBackend("native");
    const n = SHAPE.reduce((p, v) => p * v, 1);
    const cases = [NaN, -Infinity, Infinity, -0, -2, 3];
    const x = tf.tensor(Float32Array.from({ length: n }, (_, i) => cases[i % 6]), SHAPE);
    const y = tf.relu(x).dataSync();
    cases.forEach((v, i) => assert.ok(Object.is(y[i], v < 0 ? 0 : v), `relu(${v}) = ${y[i]}`));
    tf.dispose(x);
  },
});

Deno.test({
  name:
    "native large Sum and Mean over batch and image axes read a blocked tensor in place and match cpu",
  ignore,
  fn() {
    // A 1x1 convolution's 64-channel output is blocked on native (memory/layout.ts).
    const blocked = () =>
      tf.conv2d(t(SHAPE, 16) as tf.Tensor4D, t([1, 1, 64, 64], 17) as tf.Tensor4D, 1, "same");
    for (const keep of [false, true]) {
      close(() => tf.sum(blocked(), [0, 1, 2], keep), `sum ${keep}`, 1e-5);
      close(() => tf.mean(blocked(), [0, 1, 2], keep), `mean ${keep}`, 1e-5);
    }
    tf.setBackend("native");
    const y = blocked(), layout = layoutOf(y);
    assert.ok(layout !== undefined, "the convolution's output is blocked");
    const s = tf.sum(y, [0, 1, 2]);
    assert.equal(layoutOf(y), layout, "Sum left its input blocked (no reorder to NHWC)");
    tf.sum(y, [0, 3]).dispose();
    assert.equal(layoutOf(y), undefined, "other axes read NHWC");
    tf.dispose([y, s]);
  },
});
