import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { batchNormLayer } from "../../../../layers/batch_norm.ts";
import { NATIVE_BACKEND } from "../../../../backends/native/mod.ts";
import { layoutOf, nhwc, plainAlias } from "../../../../backends/native/memory/layout.ts";
import { nativeDnnl } from "../../../../backends/native/register.ts";
import { Primitive } from "../../../../backends/native/onednn/primitives.ts";
import { isaName } from "../../../../backends/native/memory/precision.ts";
import { build, type Kind } from "../../../../backends/native/kernels/conv2d_primitives.ts";
import { trainingLayouts } from "../../../../backends/native/kernels/conv2d.ts";
import { ignore, random, relativeError } from "../_compare.ts";

const t = (shape: number[], seed: number) =>
  tf.tensor(random(shape.reduce((p, v) => p * v, 1), seed), shape);

/** A residual block's ops: conv, batch norm, relu, conv, add, relu. */
function block(x: tf.Tensor4D, f1: tf.Tensor4D, f2: tf.Tensor4D): tf.Tensor4D {
  const bn = batchNormLayer("bn");
  const y = tf.relu(bn.apply(tf.conv2d(x, f1, 1, "same"), { training: true }) as tf.Tensor4D);
  const out = tf.relu(tf.add(tf.conv2d(y, f2, 1, "same"), x)) as tf.Tensor4D;
  bn.weights.forEach((v) => v.dispose());
  return out;
}

// 16 channels stay NHWC where oneDNN blocks by 16 (AVX-512), 32 are blocked everywhere.
for (const c of [16, 32]) {
  Deno.test({
    name:
      `native activations give the cpu backend's values through a residual block (${c} channels)`,
    ignore,
    fn() {
      const x = () => t([4, 8, 8, c], 1) as tf.Tensor4D;
      const f1 = () => t([3, 3, c, c], 2).mul(0.3) as tf.Tensor4D;
      const f2 = () => t([3, 3, c, c], 3).mul(0.3) as tf.Tensor4D;
      const w = () => t([4, 8, 8, c], 4);
      assert.ok(relativeError(() => block(x(), f1(), f2())) < 1e-4, "forward");
      const loss = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
        tf.sum(
          tf.mul(tf.square(block(a as tf.Tensor4D, b as tf.Tensor4D, c as tf.Tensor4D)), w()),
        );
      assert.ok(relativeError(() => tf.grads(loss)([x(), f1(), f2()])) < 1e-4, "gradients");
    },
  });

  Deno.test({
    name: `native activations give the cpu backend's values through pooling (${c} channels)`,
    ignore,
    fn() {
      const x = () => t([4, 8, 8, c], 7) as tf.Tensor4D;
      const f = () => t([3, 3, c, c], 8).mul(0.3) as tf.Tensor4D;
      const w = () => t([4, 4, 4, c], 9);
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
}

Deno.test({
  name: "native convolution outputs are blocked, and other kernels and reads see NHWC",
  ignore,
  fn() {
    tf.setBackend(NATIVE_BACKEND);
    // 32 channels: of 16 or fewer, the blocked layout is NHWC's bytes, so NHWC is kept.
    const x = t([2, 4, 4, 32], 5), f = t([1, 1, 32, 32], 6);
    const y = tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, "same");
    assert.ok(layoutOf(y) !== undefined, "a 32-channel convolution leaves its output blocked");
    const r = tf.relu(y);
    assert.equal(layoutOf(r), layoutOf(y), "relu keeps the layout");
    const sliced = tf.slice(r, [0, 1, 1, 2], [1, 2, 2, 3]).arraySync();
    const flat = y.dataSync();
    assert.equal(layoutOf(y), undefined, "reading turns it into NHWC in place");
    const cpu = tf.tidy(() => {
      tf.setBackend("cpu");
      const c = tf.conv2d(
        tf.tensor4d(x.dataSync(), [2, 4, 4, 32]),
        tf.tensor4d(f.dataSync(), [1, 1, 32, 32]),
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

Deno.test({
  name:
    "native plainAlias names the channel-blocked layout that holds NHWC's bytes (4, 8, 16 channels), and none otherwise",
  ignore,
  fn() {
    const dnnl = nativeDnnl()!;
    for (const c of [4, 8, 16]) {
      const shape = [2, 3, 5, c];
      const alias = plainAlias(dnnl, shape);
      assert.ok(alias !== undefined, `${c} channels`);
      assert.ok(!dnnl.mdEqual(alias, nhwc(dnnl, shape)), "a layout of its own to oneDNN");
      // oneDNN's reorder between the two moves nothing: the tag values are right for this API.
      const from = Float32Array.from({ length: 2 * 3 * 5 * c }, (_, i) => i);
      const to = new Float32Array(from.length);
      new Primitive(dnnl, dnnl.reorder(nhwc(dnnl, shape), alias), [
        { arg: dnnl.E.argSrc, md: nhwc(dnnl, shape) },
        { arg: dnnl.E.argDst, md: alias },
      ]).execute([from, to]);
      assert.deepEqual(to, from, `${c} channels`);
    }
    for (const c of [3, 32]) assert.equal(plainAlias(dnnl, [2, 3, 5, c]), undefined);
  },
});

Deno.test({
  name:
    "native convolutions pass 16-channel activations as NHWC, with no reorder, where oneDNN blocks by 16 (AVX-512)",
  ignore,
  fn() {
    tf.setBackend(NATIVE_BACKEND);
    const dnnl = nativeDnnl()!;
    const by16 = /avx512|amx/.test(isaName(dnnl.isa(), dnnl.generation));
    const info = (x: number[], f: number[], stride: number) =>
      tf.backend_util.computeConv2DInfo(
        x as [number, number, number, number],
        f as [number, number, number, number],
        stride,
        1,
        "same",
      );
    // Per kind, its activation arguments (the others are weights and bias) and their channels.
    const activations: Record<string, [number, "in" | "out"][]> = {
      fwd: [[0, "in"], [2, "out"]],
      fwdBiasRelu: [[0, "in"], [3, "out"]],
      bwdData: [[0, "out"], [2, "in"]],
      bwdWeights: [[0, "in"], [1, "out"]],
    };
    const cases: [string, tf.backend_util.Conv2DInfo, Kind[]][] = [
      ["RGB to 16", info([4, 8, 8, 3], [3, 3, 3, 16], 1), ["fwd", "bwdWeights"]],
      ["16 to 16", info([4, 8, 8, 16], [3, 3, 16, 16], 1), [
        "fwd",
        "fwdBiasRelu",
        "bwdData",
        "bwdWeights",
      ]],
      ["16 to 32, stride 2", info([4, 8, 8, 16], [3, 3, 16, 32], 2), [
        "fwd",
        "bwdData",
        "bwdWeights",
      ]],
    ];
    for (const [name, conv, kinds] of cases) {
      for (const kind of kinds) {
        const p = build(dnnl, conv, kind, trainingLayouts());
        let reorders = 1; // the filter (or its gradient)
        for (const [index, side] of activations[kind]) {
          const c = side === "in" ? conv.inChannels : conv.outChannels;
          const what = `${name}, ${kind}, the ${side}put's ${c} channels`;
          if (c === 3 && by16) assert.equal(p.blocked[index], undefined, what);
          if (c === 16) {
            if (by16) assert.equal(p.blocked[index], undefined, `${what}: NHWC`);
            // Blocked by 8, as oneDNN chooses; oneDNN 3.x's own choice for a strided input
            // gradient on AVX2 is its NHWC brgemm kernel (`brgconv_strided`), NHWC on both sides.
            else {
              assert.ok(
                p.blocked[index] !== undefined || p.implementation.startsWith("brgconv"),
                `${what}: blocked by 8 (${p.implementation})`,
              );
            }
          }
          if (p.blocked[index] !== undefined) reorders++; // run directly when already blocked
        }
        if (by16) assert.equal(p.reorders, reorders, `${name}, ${kind}: reorders`);
      }
    }
    const x = t([2, 8, 8, 16], 10) as tf.Tensor4D;
    const y = tf.conv2d(x, t([3, 3, 16, 16], 11) as tf.Tensor4D, 1, "same");
    const z = tf.conv2d(y, t([3, 3, 16, 32], 12) as tf.Tensor4D, 2, "same");
    assert.equal(layoutOf(y) === undefined, by16, "the 16-channel output");
    assert.ok(layoutOf(z) !== undefined, "the 32-channel output is blocked");
    tf.dispose([x, y, z]);
  },
});
