/**
 * skiplab's own Winograd convolution (backends/native/kernels/winograd.ts)
 * against oneDNN's direct convolution, through the primitives the kernels
 * build: every pass it runs, blocked and NHWC activations, a batch that
 * leaves a partial chunk, and the shapes it leaves to direct convolution.
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { ignore, random } from "../_compare.ts";
import { nativeDnnl } from "../../../../backends/native/register.ts";
import { build, type Kind } from "../../../../backends/native/kernels/conv2d_primitives.ts";
import { convRunsAs, trainingLayouts } from "../../../../backends/native/kernels/conv2d.ts";
import { ownWinogradFits, WINOGRAD_IMPL } from "../../../../backends/native/kernels/winograd.ts";

const info = (n: number, side: number, c: number, k: number, pad: "same" | "valid" = "same") =>
  tf.backend_util.computeConv2DInfo([n, side, side, c], [3, 3, c, k], 1, 1, pad);

/** Runs `kind` on plain (NHWC, HWIO) buffers and returns the output. */
function run(
  i: tf.backend_util.Conv2DInfo,
  kind: Kind,
  winograd: boolean | "skiplab",
  data: boolean,
): { out: Float32Array; impl: string } {
  const dnnl = nativeDnnl()!;
  const prim = build(dnnl, i, kind, { data, weights: true, winograd });
  const size = (s: readonly number[]) => s.reduce((p, v) => p * v, 1);
  const [inShape, outShape] = kind === "bwdData"
    ? [i.outShape, i.inShape]
    : [i.inShape, i.outShape];
  const filter = 9 * i.inChannels * i.outChannels;
  if (kind === "bwdWeights") {
    // x and the output gradient in, the filter gradient out.
    const buffers = [random(size(inShape), 1), random(size(outShape), 2), new Float32Array(filter)];
    prim.execute(buffers);
    return { out: buffers[2], impl: prim.implementation };
  }
  const buffers: Float32Array[] = [random(size(inShape), 1), random(filter, 2)];
  if (kind.startsWith("fwdBias")) buffers.push(random(i.outChannels, 3));
  // The sum pass adds the output's previous values (the residual).
  buffers.push(
    kind === "fwdBiasSumRelu" ? random(size(outShape), 4) : new Float32Array(size(outShape)),
  );
  prim.execute(buffers);
  return { out: buffers[buffers.length - 1], impl: prim.implementation };
}

/** Largest difference over the largest magnitude of `want`. */
function relative(got: Float32Array, want: Float32Array): number {
  let diff = 0, scale = 0;
  for (let j = 0; j < want.length; j++) {
    diff = Math.max(diff, Math.abs(got[j] - want[j]));
    scale = Math.max(scale, Math.abs(want[j]));
  }
  return diff / scale;
}

const KINDS: Kind[] = [
  "fwd",
  "fwdBias",
  "fwdRelu",
  "fwdBiasRelu",
  "fwdBiasSumRelu",
  "bwdData",
  "bwdWeights",
];

// 16x16 images have 16 tiles each, so chunks of 16 images, and 20 leave a chunk of 4; 8x8 ones
// have 4, so 6 images are one chunk, which makes its transformed filter a few planes at a time.
const SHAPES = [
  { i: info(20, 16, 64, 80), what: "a partial last chunk" },
  { i: info(6, 8, 64, 80), what: "one chunk, the filter's planes in groups" },
];
for (const data of [true, false]) {
  for (const { i, what } of SHAPES) {
    Deno.test({
      name: `skiplab's Winograd convolution matches direct convolution in every pass it runs (${
        data ? "blocked" : "NHWC"
      } activations, ${what})`,
      ignore,
      fn() {
        for (const kind of KINDS) {
          const own = run(i, kind, "skiplab", data), direct = run(i, kind, false, data);
          assert.equal(own.impl, WINOGRAD_IMPL, kind);
          assert.notEqual(direct.impl, WINOGRAD_IMPL, kind);
          const err = relative(own.out, direct.out);
          assert.ok(err <= 1e-4, `${kind}: relative error ${err}`);
          if (kind.endsWith("Relu")) assert.ok(own.out.every((v) => v >= 0), `${kind}: ReLU`);
        }
      },
    });
  }
}

Deno.test({
  name: "a 64-channel 3x3 stride-1 layer runs a Winograd convolution on every machine",
  ignore,
  fn() {
    // oneDNN's own (2.x on AVX-512) where it has one, else skiplab's.
    for (const kind of ["fwd", "bwdData"] as Kind[]) {
      const { impl } = run(info(2, 8, 64, 64), kind, true, true);
      assert.ok(impl.includes("wino"), `${kind}: ${impl}`);
    }
    // The run's record (`environment.conv_implementation`) names it.
    const dnnl = nativeDnnl()!;
    const layer = build(dnnl, info(64, 32, 64, 64), "fwd", trainingLayouts());
    assert.equal(convRunsAs(dnnl), layer.implementation);
  },
});

Deno.test({
  name: "skiplab's Winograd convolution leaves other shapes to direct convolution",
  ignore,
  fn() {
    const others = [
      info(2, 8, 64, 64, "valid"), // no padding
      info(2, 6, 64, 64), // output sides not multiples of 4
      info(2, 8, 32, 64), // fewer than 64 channels in
      tf.backend_util.computeConv2DInfo([2, 8, 8, 64], [3, 3, 64, 64], 2, 1, "same"), // stride 2
    ];
    for (const i of others) {
      assert.equal(ownWinogradFits(i), false);
      const { impl } = run(i, "fwd", "skiplab", true);
      assert.notEqual(impl, WINOGRAD_IMPL);
    }
    assert.equal(ownWinogradFits(info(2, 8, 64, 64)), true);
  },
});
