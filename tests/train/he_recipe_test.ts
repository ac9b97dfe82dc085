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

/**
 * One step of train() against w − lr·(g + wd·w) by hand, with g the gradient
 * of the very batch train() takes (the first of epoch 0, shuffled by seed 0).
 * The gradient must be of that batch in that order. The same images in
 * another order change it by up to ~1e-3 relative (1e-2 in places) below a
 * layer where one ReLU input lies within float rounding of 0: unshuffled, one
 * of stage 2's is 9.2e-7 on the native backend and exactly 0 on cpu, so one
 * backend passes that element's gradient and the other does not. Both are
 * valid subgradients of ReLU at 0, and the optimiser is not involved
 * (tests/train/sgd_reference_test.ts checks it against PyTorch's); with the
 * same batch there is no such difference, and the bound is float32 rounding.
 */
async function decayStepTest(backend: "cpu" | "auto") {
  await selectBackend(backend);
  const pipeline = new BatchPipeline(DATA.train, { batchSize: 24, shuffle: true, seed: 0 });
  const epoch = pipeline.epoch(0);
  const batch = (await epoch.next()).value!;
  await epoch.return?.(undefined);
  const reference = buildModel(SPEC, { seed: 2 });
  const w0 = await weights(reference);
  const infos = trainables(reference);
  const { loss, correct, grads } = gradientStep(reference, infos, batch);
  const g = new Map<string, Float32Array>();
  for (const [k, t] of grads) g.set(k, await t.data() as Float32Array);
  tf.dispose([loss, correct, batch.xs, batch.ys, ...grads.values()]);
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
      const step = 0.1 * (gk[i] + 1e-4 * w[i]), stepPlain = 0.1 * gk[i];
      const hand = w[i] - step;
      // float32: the sum, the product by lr and the difference each round once (≤ ½ ulp of
      // their sizes), and lr and wd are float32 constants: 2⁻²³ of |w′| + 2·|lr·g′| covers it.
      const bound = 2 ** -23 * (Math.abs(hand) + 2 * Math.abs(step));
      worst = Math.max(worst, Math.abs(d[i] - hand) / bound);
      if (Math.abs(w[i]) > 0.05) {
        // Decay's own share: the two runs differ by lr·wd·w = 1e-5·w, within both runs' rounding
        // (about 2.5% of it for these weights, so a missing or doubled decay cannot pass).
        const both = bound + 2 ** -23 * (Math.abs(w[i] - stepPlain) + 2 * Math.abs(stepPlain));
        decayWorst = Math.max(decayWorst, Math.abs(p[i] - d[i] - 1e-5 * w[i]) / both);
        checked++;
      }
    }
  }
  assert.ok(worst <= 1, `worst error against the hand step: ${worst} of the float32 bound`);
  assert.ok(checked > 1000, `${checked} weights large enough to see the decay`);
  assert.ok(decayWorst <= 1, `decay's share off by ${decayWorst} of the float32 bound`);
  await selectBackend("auto");
}

Deno.test("one SGD step of train() with weight decay 1e-4 is w − lr·(g + 1e-4·w), computed by hand (cpu)", () =>
  decayStepTest("cpu"));

Deno.test("one SGD step of train() with weight decay 1e-4 is w − lr·(g + 1e-4·w), computed by hand (fastest backend)", () =>
  decayStepTest("auto"));
