import assert from "node:assert/strict";
import { SYNTHETIC_CLASSES, syntheticDataset } from "../../data/mod.ts";

Deno.test("syntheticDataset() is deterministic per seed and balanced over 10 classes", () => {
  const a = syntheticDataset({ seed: 9, train: 100, val: 30, test: 20 });
  const b = syntheticDataset({ seed: 9, train: 100, val: 30, test: 20 });
  assert.deepEqual(a, b);
  assert.notDeepEqual(
    syntheticDataset({ seed: 10, train: 100, val: 0, test: 0 }).train.images,
    a.train.images,
  );
  assert.deepEqual(a.train.shape, [32, 32, 3]);
  assert.deepEqual(a.train.classNames, SYNTHETIC_CLASSES);
  const counts = new Array(10).fill(0);
  for (const l of a.train.labels) counts[l]++;
  assert.deepEqual(counts, new Array(10).fill(10));
  // Each split has its own stream: a bigger train split leaves val unchanged.
  assert.deepEqual(syntheticDataset({ seed: 9, train: 150, val: 30, test: 0 }).val, a.val);
});

Deno.test("syntheticDataset() cannot be solved from any single pixel value", () => {
  const { train, test } = syntheticDataset({ seed: 1, train: 2000, val: 0, test: 1000 });
  // For every pixel and channel: predict the majority class of its value bin (8 bins), fitted on train.
  let best = 0;
  for (let f = 0; f < 3072; f++) {
    const votes = new Int32Array(8 * 10);
    for (let i = 0; i < train.count; i++) {
      votes[(train.images[i * 3072 + f] >> 5) * 10 + train.labels[i]]++;
    }
    const pick = Array.from({ length: 8 }, (_, b) => {
      const row = votes.subarray(b * 10, b * 10 + 10);
      return row.indexOf(Math.max(...row));
    });
    let right = 0;
    for (let i = 0; i < test.count; i++) {
      right += +(pick[test.images[i * 3072 + f] >> 5] === test.labels[i]);
    }
    best = Math.max(best, right / test.count);
  }
  assert.ok(best < 0.3, `a single pixel reaches ${best}`);
});

Deno.test("syntheticDataset() rejects bad sizes and noise naming the option", () => {
  assert.throws(() => syntheticDataset({ train: -1 }), /'train': must be an integer >= 0, got -1/);
  assert.throws(() => syntheticDataset({ noise: 2 }), /'noise': must be in \[0, 1\], got 2/);
});
