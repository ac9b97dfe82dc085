import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { batchNormLayer } from "../../../../layers/batch_norm.ts";
import { NATIVE_BACKEND } from "../../../../backends/native/mod.ts";
import { layoutOf } from "../../../../backends/native/memory/layout.ts";
import { ignore, random, relativeError } from "../_compare.ts";

const t = (shape: number[], seed: number) =>
  tf.tensor(random(shape.reduce((p, v) => p * v, 1), seed), shape);

/** A residual block's ops: conv, batch norm, relu, conv, add, relu, on 16 channels. */
function block(x: tf.Tensor4D, f1: tf.Tensor4D, f2: tf.Tensor4D): tf.Tensor4D {
  const bn = batchNormLayer("bn");
  const y = tf.relu(bn.apply(tf.conv2d(x, f1, 1, "same"), { training: true }) as tf.Tensor4D);
  const out = tf.relu(tf.add(tf.conv2d(y, f2, 1, "same"), x)) as tf.Tensor4D;
  bn.weights.forEach((v) => v.dispose());
  return out;
}

Deno.test({
  name: "native blocked activations give the cpu backend's values through a residual block",
  ignore,
  fn() {
    const x = () => t([4, 8, 8, 16], 1) as tf.Tensor4D;
    const f1 = () => t([3, 3, 16, 16], 2).mul(0.3) as tf.Tensor4D;
    const f2 = () => t([3, 3, 16, 16], 3).mul(0.3) as tf.Tensor4D;
    const w = () => t([4, 8, 8, 16], 4);
    assert.ok(relativeError(() => block(x(), f1(), f2())) < 1e-4, "forward");
    const loss = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
      tf.sum(tf.mul(tf.square(block(a as tf.Tensor4D, b as tf.Tensor4D, c as tf.Tensor4D)), w()));
    assert.ok(relativeError(() => tf.grads(loss)([x(), f1(), f2()])) < 1e-4, "gradients");
  },
});

Deno.test({
  name: "native blocked activations give the cpu backend's values through pooling",
  ignore,
  fn() {
    const x = () => t([4, 8, 8, 16], 7) as tf.Tensor4D;
    const f = () => t([3, 3, 16, 16], 8).mul(0.3) as tf.Tensor4D;
    const w = () => t([4, 4, 4, 16], 9);
    const net = (a: tf.Tensor, b: tf.Tensor) => {
      const y = tf.relu(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, "same"));
      const pooled = tf.add(tf.maxPool(y, 2, 2, "valid"), tf.avgPool(y, 2, 2, "valid"));
      return tf.conv2d(pooled as tf.Tensor4D, b as tf.Tensor4D, 1, "same");
    };
    assert.ok(relativeError(() => net(x(), f())) < 1e-4, "forward");
    const loss = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.square(net(a, b)), w()));
    assert.ok(relativeError(() => tf.grads(loss)([x(), f()])) < 1e-4, "gradients");
  },
});

Deno.test({
  name: "native convolution outputs are blocked, and other kernels and reads see NHWC",
  ignore,
  fn() {
    tf.setBackend(NATIVE_BACKEND);
    const x = t([2, 4, 4, 16], 5), f = t([1, 1, 16, 16], 6);
    const y = tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, "same");
    assert.ok(layoutOf(y) !== undefined, "a 16-channel convolution leaves its output blocked");
    const r = tf.relu(y);
    assert.equal(layoutOf(r), layoutOf(y), "relu keeps the layout");
    const sliced = tf.slice(r, [0, 1, 1, 2], [1, 2, 2, 3]).arraySync();
    const flat = y.dataSync();
    assert.equal(layoutOf(y), undefined, "reading turns it into NHWC in place");
    const cpu = tf.tidy(() => {
      tf.setBackend("cpu");
      const c = tf.conv2d(
        tf.tensor4d(x.dataSync(), [2, 4, 4, 16]),
        tf.tensor4d(f.dataSync(), [1, 1, 16, 16]),
        1,
        "same",
      );
      return [c.dataSync(), tf.slice(tf.relu(c), [0, 1, 1, 2], [1, 2, 2, 3]).arraySync()];
    });
    tf.setBackend(NATIVE_BACKEND);
    (cpu[0] as Float32Array).forEach((v, i) => assert.ok(Math.abs(v - flat[i]) < 1e-5));
    assert.deepEqual(
      (sliced as number[][][][]).flat(3).map((v) => v.toFixed(4)),
      (cpu[1] as number[][][][]).flat(3).map((v) => v.toFixed(4)),
    );
    tf.dispose([x, f, y, r]);
  },
});
