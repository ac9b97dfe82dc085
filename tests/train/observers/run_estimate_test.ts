import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import {
  measureThroughput,
  runEstimate,
  type RunEstimateOptions,
  train,
  trainingProgress,
} from "../../../train/mod.ts";
import type { Plugin } from "../../../plugins/mod.ts";
import { syntheticDataset } from "../../../data/mod.ts";
import { tinyModel } from "../_tiny.ts";

/** Smaller than _tiny.ts's set: these runs only need steps to time. */
const DATA = syntheticDataset({ seed: 3, train: 48, val: 16, test: 16 });

const FACTS: RunEstimateOptions = {
  backend: tf.getBackend(),
  trainImages: DATA.train.count,
  valImages: DATA.val.count,
  testImages: DATA.test.count,
};

/**
 * Trains the tiny model with the estimate observer and returns the run's
 * estimate lines; with `stop`, the run is interrupted once the line is out.
 */
async function logOf(
  facts: Partial<RunEstimateOptions>,
  run: { epochs: number; iterations?: number; batchSize?: number; stop?: boolean },
): Promise<string[]> {
  const lines: string[] = [];
  const model = tinyModel();
  const ctl = new AbortController();
  const logger: Plugin = {
    name: "test/log",
    onLog: (m) => void (lines.push(m), run.stop && m.startsWith("estimate:") && ctl.abort()),
  };
  try {
    await train({
      model,
      ...DATA,
      batchSize: run.batchSize ?? 8,
      epochs: run.epochs,
      iterations: run.iterations,
      optimizer: { type: "adam", lr: 1e-3 },
      plugins: [runEstimate({ ...FACTS, ...facts }), logger],
      signal: ctl.signal,
    });
  } finally {
    model.dispose();
  }
  return lines.filter((l) => l.startsWith("estimate:"));
}

const RATE = String.raw`at [\d.,]+ img/s on ${tf.getBackend()}, validation included$`;

Deno.test("runEstimate() logs the whole run's estimate once, after its warm-up and timed steps", async () => {
  // 48 images in batches of 8: 6 steps an epoch, the line after step 3, none after.
  const lines = await logOf({ warmupSteps: 1, measureSteps: 2 }, { epochs: 3 });
  assert.equal(lines.length, 1, lines.join("\n"));
  assert.match(lines[0], new RegExp(`^estimate: about \\d.* for 3 epochs ${RATE}`));
});

Deno.test("runEstimate() says 'up to' when early stopping may end the run sooner", async () => {
  const lines = await logOf({ upTo: true }, { epochs: 2, stop: true });
  assert.equal(lines.length, 1, lines.join("\n"));
  assert.match(lines[0], new RegExp(`^estimate: up to about .+ for 2 epochs ${RATE}`));
});

Deno.test("runEstimate() still speaks at the end of a first epoch shorter than its warm-up", async () => {
  // 2 steps an epoch, fewer than the 2 + 5 the line waits for by default.
  const lines = await logOf({}, { epochs: 2, batchSize: 24, stop: true });
  assert.equal(lines.length, 1, lines.join("\n"));
  assert.match(lines[0], /for 2 epochs/);
});

Deno.test("runEstimate() counts a budget counted in iterations by iterations", async () => {
  const lines = await logOf({ iterations: 9, warmupSteps: 1, measureSteps: 1 }, {
    epochs: 1,
    iterations: 9,
    stop: true,
  });
  assert.equal(lines.length, 1, lines.join("\n"));
  assert.match(lines[0], new RegExp(`for 9 iterations ${RATE}`));
});

Deno.test("runEstimate() refuses a warm-up or a window that is not a whole count, naming it", () => {
  assert.throws(
    () => runEstimate({ ...FACTS, measureSteps: 0 }),
    /'measureSteps' must be an integer >= 1, got 0/,
  );
  assert.throws(() => runEstimate({ ...FACTS, warmupSteps: 1.5 }), /'warmupSteps'.*got 1.5/);
});

Deno.test("trainingProgress() shows the bar as validating, not 'ETA 0s', while an epoch validates", async () => {
  const writes: string[] = [];
  const model = tinyModel();
  try {
    await train({
      model,
      ...DATA,
      train: syntheticDataset({ seed: 3, train: 24, val: 8, test: 8 }).train,
      batchSize: 8,
      epochs: 2,
      optimizer: { type: "adam", lr: 1e-3 },
      plugins: [trainingProgress({ write: (s) => void writes.push(s), live: true })],
    });
  } finally {
    model.dispose();
  }
  const validating = writes.flatMap((w, i) => w.includes("validating…") ? [i] : []);
  assert.equal(validating.length, 2, writes.join("|"));
  for (const i of validating) {
    assert.match(writes[i], /3\/3 .*validating…$/);
    // Right after it comes the epoch's line, which clears the bar first.
    assert.match(writes[i + 1] + writes[i + 2], /epoch \d\/2 {2}loss/);
  }
});

Deno.test("measureThroughput() times real steps and a validation pass, and frees what it made", async () => {
  const model = tinyModel();
  try {
    const before = tf.memory().numTensors;
    const rate = await measureThroughput(model, {
      batchSize: 8,
      optimizer: { type: "sgd", lr: 0.1, momentum: 0.9 },
      warmupSteps: 1,
      steps: 2,
      evalImages: 16,
    });
    assert.ok(rate.train > 0 && Number.isFinite(rate.train), `train ${rate.train}`);
    assert.ok(rate.eval > 0 && Number.isFinite(rate.eval), `eval ${rate.eval}`);
    assert.equal(tf.memory().numTensors, before);
    await assert.rejects(
      () =>
        measureThroughput(model, { batchSize: 8, optimizer: { type: "adam", lr: 1e-3 }, steps: 0 }),
      /'steps' must be an integer >= 1, got 0/,
    );
  } finally {
    model.dispose();
  }
});
