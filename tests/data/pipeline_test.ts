import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { BatchPipeline, syntheticDataset } from "../../data/mod.ts";

await tf.setBackend("cpu");
const { train } = syntheticDataset({ seed: 2, train: 50, val: 0, test: 0 });

async function collect(p: BatchPipeline, epoch: number, startStep?: number) {
  const out: { xs: Float32Array; ys: Float32Array }[] = [];
  for await (const b of p.epoch(epoch, { startStep })) {
    out.push({ xs: b.xs.dataSync() as Float32Array, ys: b.ys.dataSync() as Float32Array });
    tf.dispose([b.xs, b.ys]);
  }
  return out;
}

Deno.test("BatchPipeline normalises pixels to [-1, 1] and one-hot encodes labels in order", async () => {
  const batches = await collect(
    new BatchPipeline(train, { batchSize: 16, shuffle: false, seed: 0 }),
    0,
  );
  assert.deepEqual(batches.map((b) => b.ys.length / 10), [16, 16, 16, 2]);
  const first = batches[0];
  for (let i = 0; i < 3072; i++) {
    assert.ok(Math.abs(first.xs[i] - (train.images[i] / 255 - 0.5) / 0.5) < 1e-6);
  }
  for (let i = 0; i < 16; i++) {
    const row = Array.from(first.ys.subarray(i * 10, i * 10 + 10));
    assert.deepEqual(row, row.map((_, c) => (c === train.labels[i] ? 1 : 0)));
  }
});

Deno.test("BatchPipeline shuffles each epoch as a pure function of (seed, epoch)", async () => {
  const opts = { batchSize: 8, shuffle: true, seed: 11, dropRemainder: true };
  const a = new BatchPipeline(train, opts), b = new BatchPipeline(train, opts);
  assert.equal(a.batchesPerEpoch, 6);
  await collect(a, 0); // consuming epoch 0 first must not change epoch 1
  assert.deepEqual(await collect(a, 1), await collect(b, 1));
  assert.notDeepEqual(a.order(0), a.order(1));
  assert.notDeepEqual(a.order(0), new BatchPipeline(train, { ...opts, seed: 12 }).order(0));
  assert.deepEqual(
    Array.from(a.order(3)).sort((x, y) => x - y),
    Array.from({ length: 50 }, (_, i) => i),
  );
});

Deno.test("BatchPipeline.epoch() with startStep yields the remaining batches of the same epoch", async () => {
  const p = new BatchPipeline(train, { batchSize: 8, shuffle: true, seed: 4 });
  const full = await collect(p, 2);
  assert.deepEqual(await collect(p, 2, 4), full.slice(4));
  const noPrefetch = new BatchPipeline(train, {
    batchSize: 8,
    shuffle: true,
    seed: 4,
    prefetch: 0,
  });
  assert.deepEqual(await collect(noPrefetch, 2), full);
});

Deno.test("BatchPipeline leaves no tensors behind when the consumer disposes its batches", async () => {
  const p = new BatchPipeline(train, { batchSize: 8, shuffle: true, seed: 1, prefetch: 2 });
  const before = tf.memory().numTensors;
  await collect(p, 0);
  for await (const b of p.epoch(1)) {
    tf.dispose([b.xs, b.ys]);
    break; // leaving early must not leak prefetched batches either
  }
  assert.equal(tf.memory().numTensors, before);
});

Deno.test("BatchPipeline rejects bad options naming them", () => {
  assert.throws(
    () => new BatchPipeline(train, { batchSize: 0, shuffle: true, seed: 1 }),
    /'batchSize': must be an integer >= 1, got 0/,
  );
  assert.throws(
    () => new BatchPipeline(train, { batchSize: 4, shuffle: true, seed: 0.5 }),
    /'seed': must be an integer/,
  );
  assert.throws(
    () => new BatchPipeline(train, { batchSize: 4, shuffle: true, seed: 1, prefetch: -1 }),
    /'prefetch'/,
  );
});
