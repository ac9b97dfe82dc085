import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { ignore, random, relativeError } from "../_compare.ts";

type Pad = "same" | "valid";
interface Case {
  batch: number;
  size: number;
  inC: number;
  outC: number;
  k: number;
  stride: 1 | 2;
  pad: Pad;
}

// Every combination of 1x1/3x3, stride 1/2, same/valid, batch 1/64 (small images at 64).
const cases: Case[] = [];
let n = 0;
for (const k of [1, 3]) {
  for (const stride of [1, 2] as const) {
    for (const pad of ["same", "valid"] as const) {
      for (const batch of [1, 64]) {
        n++;
        cases.push({
          batch,
          size: batch === 1 ? 7 + (n % 4) : 4 + (n % 3),
          inC: [3, 8, 5, 16][n % 4],
          outC: [8, 4, 16, 7][n % 4],
          k,
          stride,
          pad,
        });
      }
    }
  }
}

// A ResNet projection: 1x1, stride 2, whole 16-channel blocks (blocked input, no detour).
cases.push({ batch: 8, size: 8, inC: 64, outC: 128, k: 1, stride: 2, pad: "same" });
// 3x3 stride-1 layers of 32 channels and more: Winograd where oneDNN has it.
cases.push({ batch: 8, size: 8, inC: 64, outC: 64, k: 3, stride: 1, pad: "same" });
cases.push({ batch: 4, size: 6, inC: 32, outC: 48, k: 3, stride: 1, pad: "valid" });
// 64 channels and more, unequal: skiplab's own Winograd where oneDNN has none (winograd_test.ts
// covers its every pass and layout).
cases.push({ batch: 2, size: 8, inC: 64, outC: 80, k: 3, stride: 1, pad: "same" });

function tensors(c: Case, seed: number) {
  const xShape = [c.batch, c.size, c.size, c.inC] as const;
  const wShape = [c.k, c.k, c.inC, c.outC] as const;
  const x = tf.tensor4d(random(xShape.reduce((p, v) => p * v, 1), seed), [...xShape]);
  const w = tf.tensor4d(random(wShape.reduce((p, v) => p * v, 1), seed + 1), [...wShape]);
  const b = tf.tensor1d(random(c.outC, seed + 2));
  return { x, w, b };
}

const label = (c: Case) => `${c.k}x${c.k} s${c.stride} ${c.pad} batch ${c.batch}`;

for (const [i, c] of cases.entries()) {
  Deno.test({
    name: `native Conv2D/FusedConv2D match cpu (${label(c)})`,
    ignore,
    fn() {
      assert.ok(
        relativeError(() => {
          const { x, w } = tensors(c, i * 10);
          return tf.conv2d(x, w, c.stride, c.pad);
        }) <= 1e-4,
      );
      assert.ok(
        relativeError(() => {
          const { x, w, b } = tensors(c, i * 10);
          return tf.fused.conv2d({
            x,
            filter: w,
            strides: c.stride,
            pad: c.pad,
            bias: b,
            activation: "relu",
          });
        }) <= 1e-4,
      );
    },
  });
  Deno.test({
    name: `native Conv2DBackpropInput/Filter match cpu (${label(c)})`,
    ignore,
    fn() {
      const err = relativeError(() => {
        const { x, w } = tensors(c, i * 10 + 5);
        const dy = tf.conv2d(x, w, c.stride, c.pad).mul(0.5).sin();
        const dx = tf.conv2dTranspose(dy as tf.Tensor4D, w, x.shape, c.stride, c.pad);
        const g = tf.grads((a: tf.Tensor, f: tf.Tensor) =>
          tf.conv2d(a as tf.Tensor4D, f as tf.Tensor4D, c.stride, c.pad).mul(dy).sum()
        )([x, w]);
        return [dx, ...g];
      });
      assert.ok(err <= 1e-4, `relative error ${err}`);
    },
  });
}

Deno.test({
  name: "native Conv2D matches cpu with dilation 2",
  ignore,
  fn() {
    const x = () => tf.tensor4d(random(2 * 9 * 9 * 4, 7), [2, 9, 9, 4]);
    const w = () => tf.tensor4d(random(3 * 3 * 4 * 6, 8), [3, 3, 4, 6]);
    assert.ok(relativeError(() => tf.conv2d(x(), w(), 1, "same", "NHWC", 2)) <= 1e-4);
  },
});

Deno.test({
  name:
    "native convolutions see a new filter each call (alternating filters, an assigned variable)",
  ignore,
  fn() {
    const t = (shape: number[], seed: number) =>
      tf.tensor(random(shape.reduce((p, v) => p * v, 1), seed), shape);
    const err = relativeError(() => {
      const x = t([2, 6, 6, 16], 1) as tf.Tensor4D;
      const w = tf.variable(t([3, 3, 16, 16], 2));
      const other = t([3, 3, 16, 16], 3) as tf.Tensor4D;
      const outs: tf.Tensor[] = [];
      for (let i = 0; i < 3; i++) {
        outs.push(tf.conv2d(x, w as tf.Tensor4D, 1, "same"), tf.conv2d(x, other, 1, "same"));
        outs.push(tf.conv2d(x, w as tf.Tensor4D, 1, "same"));
        w.assign(w.mul(1.5));
        outs.push(
          tf.grad((d: tf.Tensor) => tf.conv2d(d as tf.Tensor4D, w as tf.Tensor4D, 1, "same").sum())(
            x,
          ),
        );
      }
      w.dispose();
      return outs;
    });
    assert.ok(err <= 1e-4, `relative error ${err}`);
  },
});
