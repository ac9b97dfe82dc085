import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { peakRates } from "../../bench/peak_rates.ts";
import { readPeakStore } from "../../bench/peak_store.ts";
import { priceCost, rooflineMs, trainingCost } from "../../bench/roofline.ts";
import { ignore } from "../backends/native/_compare.ts";

/** A model small enough to measure in a test: a 3x3 convolution, a strided 1x1 one, a dense head. */
function tinyModel(): tf.LayersModel {
  const input = tf.input({ shape: [8, 8, 3] });
  let x = tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: "same", useBias: false })
    .apply(input) as tf.SymbolicTensor;
  x = tf.layers.conv2d({ filters: 8, kernelSize: 1, strides: 2, padding: "same" })
    .apply(x) as tf.SymbolicTensor;
  x = tf.layers.flatten().apply(x) as tf.SymbolicTensor;
  const y = tf.layers.dense({ units: 4 }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: y });
}

Deno.test({
  name:
    "rooflineMs() measures the rates the store lacks, stores them, and prices the step with them",
  ignore,
  async fn() {
    const dir = await Deno.makeTempDir();
    const model = tinyModel();
    try {
      const lines: string[] = [];
      const o = { cacheDir: dir, budgetMs: 5, log: (l: string) => lines.push(l) };
      const r = await rooflineMs(model, 2, "fp32", 1, o);
      const cost = trainingCost(model, 2);
      // 2 conv layers (the first without backward data) and the dense head's 3 products.
      assert.equal(cost.passes.length, 8);
      assert.equal(lines.filter((l) => l.startsWith("peak: ")).length, 8, lines.join("\n"));
      assert.equal((await readPeakStore(dir)).length, 8);
      assert.ok(r.trainMs > r.inferMs && r.inferMs > 0, JSON.stringify(r));
      assert.ok(r.convMs.forward > 0 && r.convMs.backwardData > 0 && r.convMs.backwardWeights > 0);
      assert.equal(r.trainFlops, cost.trainFlops);
      // Stored now: the second time nothing is measured, and the price is the same.
      lines.length = 0;
      const again = await rooflineMs(model, 2, "fp32", 1, o);
      assert.deepEqual(lines, []);
      assert.equal(again.trainMs, r.trainMs);
    } finally {
      model.dispose();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "priceCost() names the pass it has no rate for",
  ignore,
  async fn() {
    const dir = await Deno.makeTempDir();
    const model = tinyModel();
    try {
      const cost = trainingCost(model, 2);
      const first = { op: cost.passes[0].op, pass: "forward", precision: "fp32" } as const;
      const rates = await peakRates([first], 1, { cacheDir: dir, budgetMs: 5 });
      assert.throws(() => priceCost(cost, "fp32", rates), {
        name: "RangeError",
        message:
          /^roofline: no fp32 rate for conv 2x8x8x3 k3x3 s1x1 p1,1,1,1 o8 backwardWeights \(layer/,
      });
    } finally {
      model.dispose();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
