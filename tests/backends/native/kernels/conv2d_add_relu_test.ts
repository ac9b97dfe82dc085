/**
 * The residual convolution (core/conv2d_add_relu.ts): relu(conv + bias +
 * residual) in one oneDNN primitive, against the cpu backend's convolution,
 * Add and Relu; and the folded inference of residual networks that runs it
 * (train/forward.ts) against model.apply.
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { ignore, random, relativeError } from "../_compare.ts";
import { CONV2D_ADD_RELU_KERNEL } from "../../../../core/conv2d_add_relu.ts";
import { conv2d } from "../../../../layers/conv2d.ts";
import { buildModel, modelVariant, resolveSpec } from "../../../../models/mod.ts";
import { forwardOf } from "../../../../train/forward.ts";

interface Case {
  readonly c: number;
  readonly out: number;
  readonly hw: number;
  readonly stride: number;
}

// 16 channels: direct, a 16-channel block; 32: Winograd where oneDNN has it; 8 → 8: a padded
// block, so the output stays NHWC; stride 2 widening, as a stage's first block.
const cases: Case[] = [
  { c: 16, out: 16, hw: 8, stride: 1 },
  { c: 32, out: 32, hw: 8, stride: 1 },
  { c: 8, out: 8, hw: 6, stride: 1 },
  { c: 16, out: 32, hw: 8, stride: 2 },
];

const t4 = (shape: [number, number, number, number], seed: number) =>
  tf.tensor4d(random(shape.reduce((p, v) => p * v, 1), seed), shape);

for (const { c, out, hw, stride } of cases) {
  for (const blocked of [false, true]) {
    const residualFrom = blocked ? "a convolution's output (oneDNN's layout on native)" : "NHWC";
    Deno.test({
      name:
        `native ${CONV2D_ADD_RELU_KERNEL} matches cpu's convolution, Add and Relu (${c} → ${out} channels, stride ${stride}, residual ${residualFrom})`,
      ignore,
      fn() {
        const o = Math.ceil(hw / stride);
        const err = relativeError(() => {
          const x = t4([2, hw, hw, c], 1);
          const w = t4([3, 3, c, out], 2).mul(0.2) as tf.Tensor4D;
          const bias = tf.tensor1d(random(out, 3));
          // A residual that is itself a convolution's output arrives in oneDNN's layout.
          const residual = blocked
            ? tf.conv2d(t4([2, o, o, out], 4), t4([1, 1, out, out], 5), 1, "same")
            : t4([2, o, o, out], 4);
          const y = conv2d(x, w, {
            strides: [stride, stride],
            pad: "same",
            bias,
            activation: "relu",
            residual,
          });
          assert.deepEqual(y.shape, [2, o, o, out]);
          return y;
        });
        assert.ok(err <= 1e-5, `relative error ${err}`);
      },
    });
  }
}

Deno.test({
  name:
    `native ${CONV2D_ADD_RELU_KERNEL} with reuseResidual writes into the residual's memory only where nothing else holds it`,
  ignore,
  async fn() {
    const want = (() => {
      tf.setBackend("cpu");
      return tf.tidy(() => {
        const [x, w, b, r] = inputs();
        return conv2d(x, w, {
          strides: [1, 1],
          pad: "same",
          bias: b,
          activation: "relu",
          residual: r,
        })
          .dataSync().slice();
      });
    })();
    await tf.setBackend("native");
    const run = (hold: boolean) => {
      const [x, w, b, r] = inputs();
      const other = hold ? tf.clone(r) : null; // a second holder of the residual's dataId
      const y = conv2d(x, w, {
        strides: [1, 1],
        pad: "same",
        bias: b,
        activation: "relu",
        residual: r,
        reuseResidual: true,
      });
      const shared = y.dataId === r.dataId;
      const rAfter = other?.dataSync().slice();
      tf.dispose([x, w, b, r, other ?? []]);
      const got = y.dataSync().slice();
      y.dispose();
      return { shared, got, rAfter };
    };
    const alone = run(false);
    assert.ok(alone.shared, "the output took the residual's memory");
    assert.ok(maxDiff(alone.got, want) < 1e-5);
    const held = run(true);
    assert.ok(!held.shared, "a residual held elsewhere is copied, not overwritten");
    assert.ok(maxDiff(held.got, want) < 1e-5);
    tf.setBackend("cpu");
    const r0 = tf.tidy(() => inputs()[3].dataSync().slice());
    assert.ok(maxDiff(held.rAfter!, r0) === 0, "the other holder still sees the residual");
  },
});

/** x, filter, bias and a residual of 16 channels; the residual a convolution's output. */
function inputs(): [tf.Tensor4D, tf.Tensor4D, tf.Tensor1D, tf.Tensor4D] {
  return tf.tidy(() => [
    t4([2, 8, 8, 16], 11),
    t4([3, 3, 16, 16], 12).mul(0.2) as tf.Tensor4D,
    tf.tensor1d(random(16, 13)),
    tf.conv2d(t4([2, 8, 8, 16], 14), t4([1, 1, 16, 16], 15), 1, "same"),
  ]);
}

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

Deno.test({
  name:
    `folded inference of resnet20 (zero-padding shortcuts) and resnet18 (projections) on native runs ${CONV2D_ADD_RELU_KERNEL} at every block's end, no Add or Relu after it, and gives model.apply's outputs`,
  ignore,
  async fn() {
    await tf.setBackend("native");
    for (const [name, blocks] of [["resnet20", 9], ["resnet18", 8]] as const) {
      const net = buildModel(modelVariant(resolveSpec(name), { width: 0.25 }), { seed: 0 });
      const xs = t4([2, 32, 32, 3], 7);
      // A training pass moves the batch norms' statistics, so folding them is not a no-op.
      tf.tidy(() => void net.apply(xs, { training: true }));
      const forward = forwardOf(net);
      let ours: tf.Tensor | undefined;
      const p = await tf.profile(() => void (ours = forward(xs, false)));
      const calls = (k: string) => p.kernels.filter((x) => x.name === k).length;
      assert.equal(calls(CONV2D_ADD_RELU_KERNEL), blocks, name);
      assert.equal(calls("Relu"), 0, `${name}: every ReLU is fused`);
      const stock = tf.tidy(() => net.apply(xs, { training: false }) as tf.Tensor);
      const [a, b] = [ours!.dataSync() as Float32Array, stock.dataSync() as Float32Array];
      const worst = a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
      assert.ok(worst < 1e-5, `${name}: largest difference ${worst}`);
      forward.release();
      tf.dispose([ours!, stock, xs]);
      net.dispose();
    }
  },
});
