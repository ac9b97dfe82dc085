import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { selectBackend } from "../../backends/mod.ts";
import { BatchPipeline, syntheticDataset } from "../../data/mod.ts";
import { buildModel, cifarResnetSpec, modelVariant } from "../../models/mod.ts";
import { scheduledRate } from "../../train/schedule.ts";
import { gradientStep, trainables } from "../../train/step.ts";
import { train } from "../../train/trainer.ts";
import type { Row } from "../../train/types.ts";

// The fastest backend here (native where oneDNN loads): cpu takes minutes for these runs.
await selectBackend("auto");

// plain8 at a quarter width (4/8/16 filters): the family's smallest real net.
const SPEC = modelVariant(cifarResnetSpec({ depth: 8, skip: false }), { width: 0.25 });
const DATA = syntheticDataset({ seed: 5, train: 24, val: 16, test: 16 });

Deno.test("scheduledRate() multistep divides by gamma from each milestone step on", () => {
  const s = { type: "multistep", milestones: [32000, 48000] } as const;
  const at = (i: number) => scheduledRate(s, 0.1, 0, 0, i);
  assert.deepEqual([0, 31999].map(at), [0.1, 0.1]);
  assert.ok(Math.abs(at(32000) - 0.01) < 1e-12 && Math.abs(at(47999) - 0.01) < 1e-12);
  assert.ok(Math.abs(at(48000) - 0.001) < 1e-12 && Math.abs(at(63999) - 0.001) < 1e-12);
});

Deno.test("scheduledRate() multistep with a warm-up holds its rate for the first iterations, then follows the milestones", () => {
  const s = {
    type: "multistep",
    milestones: [10, 20],
    warmup: { iterations: 4, lr: 0.01 },
  } as const;
  const at = (i: number) => scheduledRate(s, 0.1, 0, 0, i);
  assert.deepEqual([0, 3, 4, 9].map(at), [0.01, 0.01, 0.1, 0.1]);
  assert.ok(Math.abs(at(10) - 0.01) < 1e-12 && Math.abs(at(20) - 0.001) < 1e-12);
});

Deno.test("train() with iterations stops mid-epoch and its curve shows the multistep rate at every step", async () => {
  const model = buildModel(SPEC, { seed: 1 });
  try {
    const result = await train({
      model,
      train: DATA.train,
      val: DATA.val,
      epochs: 1,
      iterations: 10,
      evalEvery: 1,
      batchSize: 8,
      optimizer: { type: "sgd", lr: 0.1, momentum: 0.9, weightDecay: 1e-4 },
      schedule: { type: "multistep", milestones: [4, 7] },
    });
    // 3 steps per epoch: epochs 1–3 whole, the 4th stops after one step.
    assert.equal(result.history.length, 4);
    const curve = result.tables.curve as Row[];
    assert.deepEqual(curve.map((r) => r.iteration), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const lr = curve.map((r) => Number((r.lr as number).toPrecision(6)));
    assert.deepEqual(lr, [0.1, 0.1, 0.1, 0.1, 0.01, 0.01, 0.01, 0.001, 0.001, 0.001]);
    assert.equal(result.history.at(-1)!.lr.toPrecision(6), "0.00100000");
    for (const r of curve) {
      assert.ok((r.train_error as number) >= 0 && (r.train_error as number) <= 1);
      assert.ok(Number.isFinite(r.val_loss as number));
    }
  } finally {
    model.dispose();
  }
});

/** Trainable weights of `model` as arrays, by key. */
async function weights(model: tf.LayersModel): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  for (const t of trainables(model)) out.set(t.key, await t.variable.data() as Float32Array);
  return out;
}

Deno.test("one SGD step of train() with weight decay 1e-4 is w − lr·(g + 1e-4·w), computed by hand", async () => {
  // On cpu: native's threaded reductions differ from run to run by more than lr·wd·w.
  await selectBackend("cpu");
  // The whole training set in one batch, so the step's gradient does not depend on the shuffle.
  const batch = new BatchPipeline(DATA.train, { batchSize: 24, shuffle: false, seed: 0 })
    .hostBatch(Int32Array.from({ length: 24 }, (_, i) => i), 0);
  const reference = buildModel(SPEC, { seed: 2 });
  const w0 = await weights(reference);
  const xs = tf.tensor4d(batch.xs, [24, 32, 32, 3]);
  const ys = tf.tensor2d(batch.ys, [24, 10]);
  const infos = trainables(reference);
  const { loss, correct, grads } = gradientStep(reference, infos, { xs, ys });
  const g = new Map<string, Float32Array>();
  for (const [k, t] of grads) g.set(k, await t.data() as Float32Array);
  tf.dispose([loss, correct, xs, ys, ...grads.values()]);
  reference.dispose();

  const after = async (weightDecay: number) => {
    const model = buildModel(SPEC, { seed: 2 });
    try {
      await train({
        model,
        train: DATA.train,
        val: DATA.val,
        epochs: 1,
        iterations: 1,
        batchSize: 24,
        optimizer: { type: "sgd", lr: 0.1, momentum: 0.9, weightDecay },
      });
      return await weights(model);
    } finally {
      model.dispose();
    }
  };
  const [decayed, plain] = [await after(1e-4), await after(0)];
  let worst = 0, decayWorst = 0, checked = 0;
  for (const [key, w] of w0) {
    const gk = g.get(key)!, d = decayed.get(key)!, p = plain.get(key)!;
    for (let i = 0; i < w.length; i++) {
      // First step with momentum 0.9: the velocity is the gradient itself.
      const hand = w[i] - 0.1 * (gk[i] + 1e-4 * w[i]);
      worst = Math.max(worst, Math.abs(d[i] - hand) / Math.max(1e-3, Math.abs(hand)));
      if (Math.abs(w[i]) > 0.05) {
        // Decay's own share: the two runs differ by lr·wd·w = 1e-5·w.
        decayWorst = Math.max(decayWorst, Math.abs((p[i] - d[i]) / (1e-5 * w[i]) - 1));
        checked++;
      }
    }
  }
  assert.ok(worst < 1e-4, `worst relative error against the hand step ${worst}`);
  assert.ok(checked > 1000, `${checked} weights large enough to see the decay`);
  assert.ok(decayWorst < 0.05, `decay's share off by ${decayWorst} of lr·wd·w`);
  await selectBackend("auto");
});
