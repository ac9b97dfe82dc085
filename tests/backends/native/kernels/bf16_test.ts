/**
 * bf16 convolutions against fp32 ones, through the layers a model chains:
 * blocked activations pass from one convolution to the next (a bf16 input
 * read as NHWC once made a 32-channel chain's results noise), and a small
 * ResNet fits a fixed batch in bf16 as it does in fp32.
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { ignore } from "../_compare.ts";
import { selectPrecision } from "../../../../backends/precision.ts";
import { buildModel } from "../../../../models/mod.ts";
import { Optimizer } from "../../../../train/optimizer.ts";
import { gradientStep, trainables } from "../../../../train/step.ts";
import { nativeDnnl } from "../../../../backends/native/register.ts";
import { describe } from "../../../../backends/native/kernels/conv2d_primitives.ts";
import { trainingLayouts } from "../../../../backends/native/kernels/conv2d.ts";

/** Why bf16 cannot run here (no AVX512-BF16 or AMX), or undefined when it can. */
async function noBf16(): Promise<string | undefined> {
  if (ignore) return "no oneDNN";
  try {
    await tf.setBackend("native");
    await selectPrecision("bf16", "native");
    return undefined;
  } catch (e) {
    return (e as Error).message;
  } finally {
    await selectPrecision("fp32", "native").catch(() => {});
  }
}
const why = await noBf16();
if (why !== undefined && !ignore) {
  console.log(`skipping bf16 tests: this CPU has no bf16 instructions (${why.slice(0, 120)}…)`);
}

/** Runs `f` in `precision` on native and returns its outputs' values. */
async function inPrecision(
  precision: "fp32" | "bf16",
  f: () => tf.Tensor[],
): Promise<Float32Array[]> {
  await tf.setBackend("native");
  await selectPrecision(precision, "native");
  try {
    const outs = tf.tidy(f);
    const values = await Promise.all(outs.map((t) => t.data() as Promise<Float32Array>));
    tf.dispose(outs);
    return values;
  } finally {
    await selectPrecision("fp32", "native");
  }
}

const relL2 = (a: Float32Array, b: Float32Array) => {
  let d = 0, n = 0;
  for (let i = 0; i < a.length; i++) [d, n] = [d + (a[i] - b[i]) ** 2, n + a[i] ** 2];
  return Math.sqrt(d / n);
};

Deno.test({
  name: "bf16 convolutions chained through blocked layouts match fp32 within bf16's rounding",
  ignore: why !== undefined,
  async fn() {
    for (const channels of [16, 32, 64]) {
      const chain = () => {
        const x = tf.randomUniform([4, 8, 8, channels], -1, 1, "float32", 1) as tf.Tensor4D;
        const w1 = tf.randomUniform([3, 3, channels, channels], -0.2, 0.2, "float32", 2);
        const w2 = tf.randomUniform([3, 3, channels, channels], -0.2, 0.2, "float32", 3);
        const t = tf.randomUniform([4, 8, 8, channels], -1, 1, "float32", 4);
        const f = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
          tf.conv2d(
            tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, "same"),
            c as tf.Tensor4D,
            1,
            "same",
          )
            .mul(t).sum();
        const y = tf.conv2d(
          tf.conv2d(x, w1 as tf.Tensor4D, 1, "same"),
          w2 as tf.Tensor4D,
          1,
          "same",
        );
        return [y, ...tf.grads(f)([x, w1, w2])];
      };
      const fp32 = await inPrecision("fp32", chain), bf16 = await inPrecision("bf16", chain);
      fp32.forEach((v, i) => {
        const err = relL2(v, bf16[i]);
        // bf16 keeps 8 significant bits: about 0.3% here; a misread layout gives about 140%.
        assert.ok(err < 0.01, `${channels} channels, output ${i}: relative error ${err}`);
      });
    }
  },
});

Deno.test({
  name: "resnet20 fits a fixed batch in bf16 as it does in fp32 (8 Adam steps)",
  ignore: why !== undefined,
  async fn() {
    const losses = async (precision: "fp32" | "bf16") => {
      await tf.setBackend("native");
      await selectPrecision(precision, "native");
      const net = buildModel("resnet20", { seed: 0 });
      const infos = trainables(net);
      const xs = tf.randomUniform([16, 32, 32, 3], -1, 1, "float32", 5) as tf.Tensor4D;
      const labels = tf.tensor1d(Array.from({ length: 16 }, (_, i) => i % 10), "int32");
      const ys = tf.oneHot(labels, 10) as tf.Tensor2D;
      labels.dispose();
      const opt = new Optimizer({ type: "adam", lr: 1e-2 });
      const out: number[] = [];
      try {
        for (let i = 0; i < 8; i++) {
          const { loss, correct, grads } = gradientStep(net, infos, { xs, ys });
          opt.apply(
            new Map(infos.map((v) => [v.key, { variable: v.variable, grad: grads.get(v.key)! }])),
          );
          out.push((await loss.data())[0]);
          tf.dispose([loss, correct, ...grads.values()]);
        }
      } finally {
        tf.dispose([xs, ys]);
        opt.dispose();
        net.dispose();
        await selectPrecision("fp32", "native");
      }
      return out;
    };
    const fp32 = await losses("fp32"), bf16 = await losses("bf16");
    assert.ok(fp32[7] < fp32[0] * 0.5, `fp32 did not fit: ${fp32}`);
    // The same start, and a loss curve that stays close (bf16 rounds inputs, not the sums).
    assert.ok(Math.abs(bf16[0] - fp32[0]) < 0.01 * fp32[0], `first losses ${fp32[0]}, ${bf16[0]}`);
    assert.ok(bf16[7] < fp32[0] * 0.5, `bf16 did not fit: ${bf16}`);
  },
});

Deno.test({
  name:
    "bf16 runs a 3x3 convolution's forward and input gradient as fp32 Winograd where oneDNN has one, its filter gradient in bf16",
  ignore: why !== undefined,
  async fn() {
    const dnnl = nativeDnnl()!;
    const info = tf.backend_util.computeConv2DInfo([4, 8, 8, 32], [3, 3, 32, 32], 1, 1, "same");
    const d = describe(dnnl, info, "fwd", { ...trainingLayouts(), bf16: false });
    const winograd = dnnl.implName(d.pd).includes("wino");
    dnnl.destroyPd(d.pd);
    const conv = () => {
      const x = tf.randomUniform([4, 8, 8, 32], -1, 1, "float32", 1) as tf.Tensor4D;
      const w = tf.randomUniform([3, 3, 32, 32], -0.2, 0.2, "float32", 2) as tf.Tensor4D;
      const t = tf.randomUniform([4, 8, 8, 32], -1, 1, "float32", 3);
      const f = (a: tf.Tensor, b: tf.Tensor) =>
        tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, "same").mul(t).sum();
      return [tf.conv2d(x, w, 1, "same"), ...tf.grads(f)([x, w])];
    };
    const fp32 = await inPrecision("fp32", conv), bf16 = await inPrecision("bf16", conv);
    ["forward", "input gradient", "filter gradient"].forEach((pass, i) => {
      const same = fp32[i].every((v, j) => Object.is(v, bf16[i][j]));
      const fp32There = winograd && i < 2;
      assert.equal(same, fp32There, `${pass}: ${fp32There ? "fp32 Winograd" : "bf16"}`);
      assert.ok(relL2(fp32[i], bf16[i]) < 0.01, `${pass}: within bf16's rounding`);
    });
  },
});
