import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import {
  BatchPipeline,
  channelStats,
  syntheticDataset,
  withChannelNormalization,
} from "../../data/mod.ts";

await tf.setBackend("cpu");

Deno.test("withChannelNormalization() standardises each channel of the training split, and the others by its statistics", () => {
  const splits = withChannelNormalization(
    syntheticDataset({ seed: 2, train: 40, val: 20, test: 20 }),
  );
  const stats = splits.train.normalization!;
  assert.deepEqual(splits.val.normalization, stats);
  assert.deepEqual(splits.test.normalization, stats);
  const mean = (set: typeof splits.train) => {
    const p = new BatchPipeline(set, { batchSize: set.count, shuffle: false, seed: 0 });
    const { xs } = p.hostBatch(Int32Array.from({ length: set.count }, (_, i) => i), 0);
    const m = [0, 0, 0], s = [0, 0, 0];
    for (let i = 0; i < xs.length; i++) (m[i % 3] += xs[i], s[i % 3] += xs[i] ** 2);
    const n = xs.length / 3;
    return m.map((v, c) => [v / n, Math.sqrt(s[c] / n - (v / n) ** 2)]);
  };
  for (const [m, sd] of mean(splits.train)) {
    assert.ok(Math.abs(m) < 1e-4 && Math.abs(sd - 1) < 1e-4, `train channel mean ${m}, std ${sd}`);
  }
  // Held-out images use the training statistics: their values are exactly (x/255 − mean)/std.
  const v = new BatchPipeline(splits.val, { batchSize: 1, shuffle: false, seed: 0 }).hostBatch(
    Int32Array.from([0]),
    0,
  );
  for (let c = 0; c < 3; c++) {
    const expected = (splits.val.images[c] / 255 - stats.mean[c]) / stats.std[c];
    assert.ok(Math.abs(v.xs[c] - expected) < 1e-6);
  }
});

Deno.test("channelStats() rejects a channel without variation, naming it", () => {
  const set = {
    images: new Uint8Array([10, 0, 10, 255]),
    labels: new Uint8Array([0]),
    count: 1,
    shape: [2, 1, 2] as const,
    classNames: ["a"],
  };
  assert.throws(() => channelStats(set), {
    name: "RangeError",
    message: /channel 0 has standard deviation 0 \(every pixel 10\)/,
  });
});
