import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { ignore, random, relativeError, runOn } from "../_compare.ts";

const t = (shape: number[], seed: number) =>
  tf.tensor(random(shape.reduce((p, v) => p * v, 1), seed), shape);

function close(f: () => tf.Tensor | tf.Tensor[], what: string): void {
  const err = relativeError(f);
  assert.ok(err <= 1e-4, `${what}: relative error ${err}`);
}

Deno.test({
  name: "native BatchMatMul/_FusedMatMul match cpu with transposes, batches and bias",
  ignore,
  fn() {
    for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]]) {
      const a = () => t(ta ? [17, 5] : [5, 17], 1), b = () => t(tb ? [9, 17] : [17, 9], 2);
      close(() => tf.matMul(a(), b(), ta, tb), `matMul ${ta} ${tb}`);
      close(
        () =>
          tf.fused.matMul({
            a: a(),
            b: b(),
            transposeA: ta,
            transposeB: tb,
            bias: t([9], 3),
            activation: "relu",
          }),
        `fused ${ta} ${tb}`,
      );
    }
    close(() => tf.matMul(t([4, 6, 8], 4), t([4, 8, 3], 5)), "batched");
    close(() => tf.matMul(t([4, 6, 8], 6), t([1, 8, 3], 7)), "broadcast batch");
    close(
      () =>
        tf.grads((a: tf.Tensor, b: tf.Tensor) =>
          tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D).square().sum()
        )([t([64, 32], 8), t([32, 10], 9)]),
      "matMul grads",
    );
  },
});

Deno.test({
  name:
    "native MaxPool/AvgPool and their gradients match cpu (2x2 s2 valid, 3x3 s1/s2 same, batch 1 and 64)",
  ignore,
  fn() {
    const cases: [number, number, 1 | 2, "same" | "valid"][] = [
      [1, 2, 2, "valid"],
      [64, 2, 2, "valid"],
      [1, 3, 1, "same"],
      [64, 3, 2, "same"],
      [1, 3, 2, "valid"],
    ];
    for (const [batch, k, s, pad] of cases) {
      const shape = [batch, batch === 1 ? 9 : 6, batch === 1 ? 9 : 6, 5];
      close(
        () => tf.maxPool(t(shape, k) as tf.Tensor4D, k, s, pad),
        `maxPool ${k} ${s} ${pad} ${batch}`,
      );
      close(
        () => tf.avgPool(t(shape, k) as tf.Tensor4D, k, s, pad),
        `avgPool ${k} ${s} ${pad} ${batch}`,
      );
      for (const pool of [tf.maxPool, tf.avgPool]) {
        close(() => {
          const x = t(shape, 11), dy = pool(t(shape, 12) as tf.Tensor4D, k, s, pad);
          return tf.grad((a: tf.Tensor) => pool(a as tf.Tensor4D, k, s, pad).mul(dy).sum())(x);
        }, `${pool.name} grad ${k} ${s} ${pad} ${batch}`);
      }
    }
  },
});

Deno.test({
  name: "native FusedBatchNorm and the batch-norm gradient ops match cpu",
  ignore,
  fn() {
    for (const shape of [[1, 5, 5, 8], [64, 3, 3, 16]]) {
      close(() => {
        const x = t(shape, 1), c = shape[3];
        const scale = t([c], 2).add(1.5), offset = t([c], 3);
        const f = (a: tf.Tensor, g: tf.Tensor, o: tf.Tensor) => {
          const { mean, variance } = tf.moments(a, [0, 1, 2]);
          return tf.batchNorm(a, mean, variance, o, g, 1e-3).mul(t(shape, 4)).sum();
        };
        return [f(x, scale, offset), ...tf.grads(f)([x, scale, offset])];
      }, `batch norm ${shape}`);
    }
  },
});

Deno.test({
  name: "native elementwise ops, reductions and tile match cpu on their broadcast patterns",
  ignore,
  fn() {
    const pairs: [number[], number[]][] = [
      [[6, 4, 4, 8], [6, 4, 4, 8]],
      [[6, 4, 4, 8], [8]],
      [[8], [6, 4, 4, 8]],
      [[6, 4, 4, 8], []],
      [[6, 1, 1, 8], [6, 4, 4, 8]],
      [[6, 4, 1, 8], [1, 4, 3, 1]],
      [[5, 1], [5, 10]],
    ];
    const ops = [tf.add, tf.sub, tf.mul, tf.div, tf.maximum, tf.minimum, tf.squaredDifference];
    for (const [sa, sb] of pairs) {
      for (const op of ops) {
        close(() => op(t(sa, 1), t(sb, 2).add(op === tf.div ? 3 : 0)), `${op.name} ${sa} ${sb}`);
      }
    }
    const x = () => t([6, 4, 4, 8], 3);
    close(
      () => [tf.relu(x()), tf.step(x()), tf.step(x(), 0.3), tf.neg(x()), tf.square(x())],
      "unary",
    );
    close(
      () => [tf.sqrt(x().abs()), tf.rsqrt(x().abs().add(0.1)), tf.exp(x()), tf.abs(x())],
      "unary math",
    );
    for (const axes of [[0, 1, 2], [1, 2], [3], [0], [2, 3], [0, 2]]) {
      close(() => [tf.sum(x(), axes), tf.mean(x(), axes, true)], `sum/mean ${axes}`);
    }
    close(() => tf.tile(t([1, 1, 1, 8], 4), [6, 4, 4, 1]), "tile per channel");
    close(() => tf.tile(t([2, 3], 5), [3, 2]), "tile general");
    const ints = runOn(
      "native",
      () => tf.add(tf.tensor1d([1, 2], "int32"), tf.tensor1d([3, 4], "int32")),
    );
    assert.deepEqual([...ints[0]], [4, 6]);
  },
});

Deno.test({
  name: "native kernels leave no tensors behind across training steps",
  ignore,
  fn() {
    tf.setBackend("native");
    const w = tf.variable(t([3, 3, 4, 8], 1)), g = tf.variable(tf.ones([8]));
    const opt = tf.train.adam(1e-3);
    const x = t([4, 8, 8, 4], 2);
    const step = () =>
      opt.minimize(() => {
        const y = tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, "same");
        const { mean, variance } = tf.moments(y, [0, 1, 2]);
        const z = tf.relu(tf.batchNorm(y, mean, variance, tf.zeros([8]), g, 1e-3));
        return tf.maxPool(z as tf.Tensor4D, 2, 2, "valid").mean();
      })!;
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) step();
    assert.equal(tf.memory().numTensors, before);
    tf.dispose([w, g, x]);
    opt.dispose();
  },
});

Deno.test({
  name:
    "native Slice and PadV2 match cpu: strided boxes of rank 1–5, whole and partial trailing dims, a constant value, and the zero-pad shortcut's gradients",
  ignore,
  fn() {
    const slices: [number[], number[], number[]][] = [
      [[10], [3], [4]],
      [[6, 7], [1, 2], [4, -1]],
      [[4, 2, 8, 32], [0, 0, 0, 0], [-1, 1, 8, 16]],
      [[3, 5, 6, 7], [1, 0, 2, 3], [2, 5, 3, 4]],
      [[2, 3, 4, 5, 6], [1, 1, 0, 2, 0], [1, 2, 4, 3, 6]],
      [[5, 4], [2, 0], [0, 4]],
    ];
    for (const [shape, begin, size] of slices) {
      close(() => tf.slice(t(shape, shape.length), begin, size), `slice ${shape} ${begin} ${size}`);
    }
    const pads: [number[], [number, number][], number][] = [
      [[7], [[2, 3]], 0],
      [[2, 3, 4, 5], [[0, 0], [0, 1], [0, 1], [0, 0]], 0],
      [[2, 4, 4, 8], [[0, 0], [0, 0], [0, 0], [4, 4]], 0],
      [[3, 2, 5], [[1, 0], [2, 2], [0, 3]], -1.5],
    ];
    for (const [shape, paddings, value] of pads) {
      close(() => tf.pad(t(shape, 9), paddings, value), `pad ${shape} ${paddings}`);
    }
    // A downsampling option-A shortcut and its gradient: slice of a parity reshape, channel pad.
    close(
      () =>
        tf.grad((x: tf.Tensor) =>
          tf.pad(
            x.reshape([-1, 2, 4, 2 * 3]).slice([0, 0, 0, 0], [-1, 1, 4, 3]).reshape([2, 4, 4, 3]),
            [[0, 0], [0, 0], [0, 0], [0, 3]],
          ).mul(t([2, 4, 4, 6], 11)).sum()
        )(t([2, 8, 8, 3], 10)),
      "shortcut gradient",
    );
  },
});
