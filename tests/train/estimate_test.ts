import assert from "node:assert/strict";
import {
  describeEstimate,
  estimateSeconds,
  formatDuration,
  formatRate,
  type RunWork,
  workAhead,
} from "../../train/estimate.ts";

Deno.test("formatDuration() says seconds, minutes, hours and days, rounded as an estimate can claim", () => {
  const cases: [number, string][] = [
    [0.2, "about 1 s"],
    [4.4, "about 4 s"],
    [38, "about 40 s"],
    [54, "about 50 s"],
    [56, "about 1 min"],
    [179, "about 3 min"],
    [3540, "about 59 min"],
    [3590, "about 1 h"],
    [2 * 3600 + 3 * 60, "about 2 h 5 min"],
    [9 * 3600 + 38 * 60, "about 9 h 40 min"],
    [11 * 3600 + 16 * 60, "about 11 h 20 min"],
    [47 * 3600, "about 47 h"],
    [2 * 86400 + 5 * 3600 + 10 * 60, "about 2 d 5 h"],
    [3 * 86400, "about 3 d"],
  ];
  for (const [s, said] of cases) assert.equal(formatDuration(s), said, `${s} s`);
});

Deno.test("formatDuration() refuses a negative or non-finite duration, naming it", () => {
  assert.throws(() => formatDuration(-1), /expected seconds >= 0, got -1/);
  assert.throws(() => formatDuration(NaN), /got NaN/);
});

Deno.test("formatRate() prints whole images per second from 10 up, one decimal below", () => {
  assert.deepEqual([formatRate(39.4), formatRate(1071.2), formatRate(4.56)], [
    "39",
    "1,071",
    "4.6",
  ]);
});

const WORK: RunWork = {
  trainImages: 1000,
  batchSize: 100,
  epochs: 3,
  valImages: 200,
  testImages: 100,
};

Deno.test("estimateSeconds() counts the training images, a validation pass per epoch and the test pass", () => {
  // 3 × 1000 images at 100/s; 3 × 200 + 100 evaluated at 300/s.
  assert.equal(estimateSeconds(WORK, { train: 100, eval: 300 }), 30 + 700 / 300);
});

Deno.test("estimateSeconds() counts the last, partial batch of an epoch as the images it holds", () => {
  const w = { ...WORK, trainImages: 250, epochs: 2, valImages: 1, testImages: 0 };
  assert.deepEqual(workAhead(w), { steps: 6, totalSteps: 6, trainImages: 500, evalImages: 2 });
});

Deno.test("workAhead() counts an iteration budget by steps, with a pass per epoch begun and per curve point", () => {
  // 25 steps of 10 an epoch: 2 epochs and 5 batches; 3 epoch-end passes and 3 curve points.
  const w = { ...WORK, iterations: 25, evalEvery: 10 };
  assert.deepEqual(workAhead(w), {
    steps: 25,
    totalSteps: 25,
    trainImages: 2500,
    evalImages: 6 * 200 + 100,
  });
});

Deno.test("workAhead() leaves out what a resumed run did already", () => {
  const ahead = workAhead({ ...WORK, done: { epoch: 1, step: 5 } });
  assert.deepEqual(ahead, {
    steps: 15,
    totalSteps: 30,
    trainImages: 1500,
    evalImages: 2 * 200 + 100,
  });
});

Deno.test("estimateSeconds() refuses a rate that is not positive, naming it", () => {
  assert.throws(
    () => estimateSeconds(WORK, { train: 0, eval: 1 }),
    /the train rate must be positive, got 0/,
  );
  assert.throws(() => estimateSeconds(WORK, { train: 1, eval: Infinity }), /eval rate/);
});

Deno.test("describeEstimate() says the whole run, 'up to' with early stopping, and what is left when resumed", () => {
  const paper = { trainImages: 45000, batchSize: 64, epochs: 30, valImages: 5000, upTo: true };
  const rate = { train: 39, eval: 117 };
  assert.equal(
    describeEstimate(paper, rate, "native"),
    "estimate: up to about 10 h for 30 epochs at 39 img/s on native, validation included",
  );
  assert.equal(
    describeEstimate({ ...WORK, epochs: 1 }, { train: 100, eval: 300 }, "cpu"),
    "estimate: about 10 s for 1 epoch at 100 img/s on cpu, validation included",
  );
  assert.equal(
    describeEstimate({ ...WORK, done: { epoch: 1, step: 0 } }, { train: 100, eval: 300 }, "wasm"),
    "estimate: about 20 s for the remaining 2 of 3 epochs at 100 img/s on wasm, validation included",
  );
  // 6,400,000 images at 100/s, then 6,400 passes of 200 and the test's 100 at 300/s: 18.96 h.
  assert.equal(
    describeEstimate({ ...WORK, iterations: 64000 }, { train: 100, eval: 300 }, "native"),
    "estimate: about 19 h for 64,000 iterations at 100 img/s on native, validation included",
  );
});
