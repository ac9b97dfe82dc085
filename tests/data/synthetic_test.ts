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

const COS = Float64Array.from({ length: 32 }, (_, k) => Math.cos(-2 * Math.PI * k / 32));
const SIN = Float64Array.from({ length: 32 }, (_, k) => Math.sin(-2 * Math.PI * k / 32));

/**
 * The power spectrum of an image's luma (mean removed, unit total energy):
 * blind to where a pattern sits and to its colours, not to its orientation.
 */
function spectrum(images: Uint8Array, i: number, flip: boolean): Float64Array {
  const n = 32, luma = new Float64Array(n * n);
  let mean = 0;
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      const at = i * 3072 + (y * n + (flip ? n - 1 - x : x)) * 3;
      luma[y * n + x] = 0.299 * images[at] + 0.587 * images[at + 1] + 0.114 * images[at + 2];
      mean += luma[y * n + x] / (n * n);
    }
  }
  // Separable DFT: along rows, then along columns.
  const rowRe = new Float64Array(n * n), rowIm = new Float64Array(n * n);
  for (let y = 0; y < n; y++) {
    for (let k = 0; k < n; k++) {
      let r = 0, m = 0;
      for (let x = 0; x < n; x++) {
        const v = luma[y * n + x] - mean, t = (k * x) % n;
        r += v * COS[t];
        m += v * SIN[t];
      }
      rowRe[y * n + k] = r;
      rowIm[y * n + k] = m;
    }
  }
  const power = new Float64Array(n * n);
  let total = 0;
  for (let k = 0; k < n; k++) {
    for (let l = 0; l < n; l++) {
      let r = 0, m = 0;
      for (let y = 0; y < n; y++) {
        const t = (l * y) % n, a = rowRe[y * n + k], b = rowIm[y * n + k];
        r += a * COS[t] - b * SIN[t];
        m += a * SIN[t] + b * COS[t];
      }
      power[l * n + k] = r * r + m * m;
      total += power[l * n + k];
    }
  }
  return power.map((p) => p / (total || 1));
}

const distance = (a: Float64Array, b: Float64Array): number =>
  Math.hypot(...a.map((v, i) => v - b[i]));

Deno.test("syntheticDataset() has no class that is the mirror image of another", () => {
  const { train } = syntheticDataset({ seed: 2, train: 1000, val: 0, test: 0 });
  // Class prototypes: mean power spectrum of the images and of their horizontal mirrors.
  const proto = Array.from({ length: 10 }, () => new Float64Array(1024));
  const mirrored = Array.from({ length: 10 }, () => new Float64Array(1024));
  for (let i = 0; i < train.count; i++) {
    const l = train.labels[i];
    spectrum(train.images, i, false).forEach((v, j) => proto[l][j] += v / 100);
    spectrum(train.images, i, true).forEach((v, j) => mirrored[l][j] += v / 100);
  }
  let worst = 0;
  for (let a = 0; a < 10; a++) {
    const self = distance(mirrored[a], proto[a]);
    for (let b = 0; b < 10; b++) {
      if (b === a) continue;
      const other = distance(mirrored[a], proto[b]);
      worst = Math.max(worst, self / other);
      assert.ok(
        self < 0.5 * other,
        `mirrored ${SYNTHETIC_CLASSES[a]} is ${other.toFixed(4)} from ${SYNTHETIC_CLASSES[b]}, ` +
          `${self.toFixed(4)} from itself`,
      );
    }
  }
});
