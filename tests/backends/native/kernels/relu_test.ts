import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { NATIVE_BACKEND } from "../../../../backends/native/mod.ts";
import { RELU_GRAD_KERNEL } from "../../../../backends/native/gradients/relu_square_js.ts";
import { NATIVE_ELTWISE_MIN } from "../../../../backends/native/kernels.ts";
import { layoutOf } from "../../../../backends/native/memory/layout.ts";
import { ignore, random } from "../_compare.ts";

// Large enough for the oneDNN path.
const SHAPE: number[] = [8, 16, 32, 64];
const N = SHAPE.reduce((p, v) => p * v, 1);
const XS = [NaN, -Infinity, Infinity, -0, 0, -1, 2, 1e-45, -1e-45, 3e38, -3e38, 0.5];
const DYS = [1, -1, NaN, Infinity, -Infinity, 0, -0, 2.5, 1e-45, -3e38];

/** dy and x covering every pair of special values, then random values. */
function inputs(): [Float32Array, Float32Array] {
  const dy = random(N, 1), x = random(N, 2);
  for (let i = 0; i < XS.length * DYS.length; i++) {
    x[i] = XS[i % XS.length];
    dy[i] = DYS[Math.floor(i / XS.length)];
  }
  return [dy, x];
}

function gradOn(backend: string, dy: Float32Array, x: Float32Array): Float32Array {
  tf.setBackend(backend);
  const [d, t] = [tf.tensor(dy, SHAPE), tf.tensor(x, SHAPE)];
  const out = tf.engine().runKernel(RELU_GRAD_KERNEL, { dy: d, x: t }) as tf.Tensor;
  const got = Float32Array.from(out.dataSync());
  tf.dispose([d, t, out]);
  return got;
}

Deno.test({
  name: "native large ReLU gradient equals the JS kernel bit for bit, NaN x passing dy through",
  ignore,
  fn() {
    assert.ok(N >= NATIVE_ELTWISE_MIN, "the test runs the oneDNN path");
    const [dy, x] = inputs();
    const got = gradOn(NATIVE_BACKEND, dy, x);
    // The JS kernel, on the same native backend below the size threshold, is the reference:
    // the cpu backend has no kernel of this name, and its Relu gradient (Step, Multiply)
    // rounds alike (checked below on the tape).
    for (let i = 0; i < N; i++) {
      const want = Number.isNaN(x[i]) ? dy[i] : Math.fround(dy[i] * +(x[i] > 0));
      assert.ok(Object.is(got[i], want), `grad(dy ${dy[i]}, x ${x[i]}) = ${got[i]}, want ${want}`);
    }
  },
});

Deno.test({
  name: "native large ReLU gradient on the tape matches cpu's Step·dy away from NaN inputs",
  ignore,
  fn() {
    const [dy, x] = inputs();
    for (let i = 0; i < N; i++) if (Number.isNaN(x[i])) x[i] = 0.25;
    const run = (backend: string) => {
      tf.setBackend(backend);
      const [d, t] = [tf.tensor(dy, SHAPE), tf.tensor(x, SHAPE)];
      const g = tf.grad((a: tf.Tensor) => tf.relu(a))(t, d);
      const out = Float32Array.from(g.dataSync());
      tf.dispose([d, t, g]);
      return out;
    };
    const want = run("cpu"), got = run(NATIVE_BACKEND);
    for (let i = 0; i < N; i++) {
      assert.ok(
        Object.is(got[i], want[i]),
        `at ${i} (dy ${dy[i]}, x ${x[i]}): ${got[i]} vs ${want[i]}`,
      );
    }
  },
});

Deno.test({
  name:
    "native ReLU gradient keeps the blocked layout of its inputs, and reorders an NHWC dy into it",
  ignore,
  fn() {
    tf.setBackend(NATIVE_BACKEND);
    const x = tf.tensor4d(random(N, 3), [8, 16, 32, 64]);
    const f = tf.tensor(random(3 * 3 * 64 * 64, 4), [3, 3, 64, 64]).mul(0.1) as tf.Tensor4D;
    const y = tf.conv2d(x, f, 1, "same");
    assert.ok(layoutOf(y) !== undefined, "a 64-channel convolution leaves its output blocked");
    const dy = tf.tensor(random(N, 5), SHAPE);
    const g = tf.engine().runKernel(RELU_GRAD_KERNEL, { dy, x: y }) as tf.Tensor;
    assert.equal(layoutOf(g), layoutOf(y), "the gradient stays blocked");
    assert.equal(layoutOf(dy), layoutOf(y), "the NHWC operand was reordered into the blocked one");
    const [gv, yv, dv] = [g.dataSync(), y.dataSync(), dy.dataSync()];
    for (let i = 0; i < N; i++) {
      assert.ok(Object.is(gv[i], Math.fround(dv[i] * +(yv[i] > 0))), `at ${i}`);
    }
    tf.dispose([x, f, y, dy, g]);
  },
});

Deno.test({
  name: "native Cast to the same dtype keeps a blocked tensor blocked (no reorder)",
  ignore,
  fn() {
    tf.setBackend(NATIVE_BACKEND);
    // 32 channels: of 16 or fewer, the blocked layout is NHWC's bytes, so NHWC is kept.
    const x = tf.tensor(random(2 * 4 * 4 * 32, 6), [2, 4, 4, 32]) as tf.Tensor4D;
    const f = tf.tensor(random(32 * 32, 7), [1, 1, 32, 32]) as tf.Tensor4D;
    const y = tf.conv2d(x, f, 1, "same");
    const layout = layoutOf(y);
    assert.ok(layout !== undefined);
    const same = tf.cast(y, "float32");
    assert.equal(layoutOf(y), layout, "the input is still blocked");
    assert.equal(layoutOf(same), layout);
    const ints = tf.cast(y, "int32");
    assert.equal(layoutOf(y), undefined, "a real cast reads NHWC");
    assert.deepEqual([...ints.dataSync()], [...y.dataSync()].map((v) => v | 0));
    tf.dispose([x, f, y, same, ints]);
  },
});
