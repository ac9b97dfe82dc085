import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { gradientNorms } from "../../../plugins/probes/gradient_norms.ts";
import type { GradientNormsOptions } from "../../../plugins/probes/gradient_norms.ts";
import type { Plugin } from "../../../plugins/plugin.ts";
import type { NamedGradient } from "../../../train/types.ts";
import { fakeRun, metrics } from "../_context.ts";

await tf.setBackend("cpu");

const probe = (options: Partial<GradientNormsOptions> = {}) =>
  gradientNorms.create(gradientNorms.schema.parse(options));

/** Gradients of two layers, every element equal to `v`: conv (9 + 2 values), dense (4 + 2). */
function grads(v: number): NamedGradient[] {
  return [
    { layer: "conv", weight: "kernel", depth: 0, path: "main", grad: tf.fill([3, 3, 1, 1], v) },
    { layer: "conv", weight: "bias", depth: 0, path: "main", grad: tf.fill([2], v) },
    { layer: "dense", weight: "kernel", depth: 1, path: "main", grad: tf.fill([2, 2], v) },
    { layer: "dense", weight: "bias", depth: 1, path: "main", grad: tf.fill([2], v) },
  ];
}

/** Runs `epochs` epochs of `steps` steps; step s of every epoch has gradients equal to s + 1. */
async function train(plugin: Plugin, epochs: number, steps: number) {
  const fake = fakeRun();
  for (let e = 0; e < epochs; e++) {
    for (let s = 0; s < steps; s++) {
      const g = grads(s + 1);
      await plugin.afterGradients!(g, fake.step(e, s));
      tf.dispose(g.map((x) => x.grad));
    }
    await plugin.onEpochEnd!(metrics(e), fake.epoch(e));
  }
  await plugin.teardown?.(fake.run);
  return (fake.rows.gradients ?? []).filter((r) => r.point === "epoch");
}

const close = (a: unknown, b: number) =>
  assert.ok(Math.abs((a as number) - b) < 1e-4, `${a} ≉ ${b}`);

Deno.test("gradientNorms records one row per layer per epoch: the mean L2 norm of kernel and bias", async () => {
  const rows = await train(probe(), 2, 3);
  assert.equal(rows.length, 4);
  assert.deepEqual(rows.map((r) => [r.epoch, r.step, r.layer, r.depth]), [
    [0, -1, "conv", 0],
    [0, -1, "dense", 1],
    [1, -1, "conv", 0],
    [1, -1, "dense", 1],
  ]);
  // Steps have gradients 1, 2, 3: the mean norm is 2 × the norm of an all-ones gradient.
  close(rows[0].norm, 2 * Math.sqrt(11));
  close(rows[1].norm, 2 * Math.sqrt(6));
  assert.ok(rows.every((r) => Number.isFinite(r.norm) && (r.norm as number) > 0));
});

Deno.test("gradientNorms records kernel and bias separately with per_weight", async () => {
  const rows = await train(probe({ per_weight: true }), 1, 2);
  assert.deepEqual(rows.map((r) => `${r.layer}/${r.weight}`), [
    "conv/kernel",
    "conv/bias",
    "dense/kernel",
    "dense/bias",
  ]);
  close(rows[0].norm, 1.5 * 3);
  close(rows[3].norm, 1.5 * Math.sqrt(2));
});

Deno.test("gradientNorms records every N steps, closing a partial window at the epoch's end", async () => {
  const rows = await train(probe({ every: 2 }), 1, 5);
  const conv = rows.filter((r) => r.layer === "conv");
  assert.deepEqual(conv.map((r) => r.step), [1, 3, 4]);
  close(conv[0].norm, 1.5 * Math.sqrt(11));
  close(conv[2].norm, 5 * Math.sqrt(11));
});

Deno.test("gradientNorms holds one accumulator during an epoch and none after teardown", async () => {
  const plugin = probe();
  const fake = fakeRun();
  const before = tf.memory().numTensors;
  const counts: number[] = [];
  for (let e = 0; e < 2; e++) {
    for (let s = 0; s < 4; s++) {
      const g = grads(1);
      await plugin.afterGradients!(g, fake.step(e, s));
      tf.dispose(g.map((x) => x.grad));
      counts.push(tf.memory().numTensors - before);
    }
    await plugin.onEpochEnd!(metrics(e), fake.epoch(e));
    counts.push(tf.memory().numTensors - before);
  }
  assert.deepEqual(counts, [1, 1, 1, 1, 0, 1, 1, 1, 1, 0]);
  await plugin.teardown!(fake.run);
  assert.equal(tf.memory().numTensors, before);
});

Deno.test("gradientNorms measures the real gradients of a small dense model", async () => {
  const w = tf.variable(tf.randomNormal([4, 3], 0, 1, "float32", 1), true, "dense_kernel");
  const b = tf.variable(tf.zeros([3]), true, "dense_bias");
  const x = tf.randomNormal([8, 4], 0, 1, "float32", 2);
  const plugin = probe();
  const fake = fakeRun();
  for (let s = 0; s < 3; s++) {
    const { grads: g, value } = tf.variableGrads(() =>
      tf.mean(tf.square(tf.add(tf.matMul(x, w), b)))
    );
    await plugin.afterGradients!([
      { layer: "dense", weight: "kernel", depth: 0, path: "main", grad: g[w.name] },
      { layer: "dense", weight: "bias", depth: 0, path: "main", grad: g[b.name] },
    ], fake.step(0, s));
    tf.dispose([value, ...Object.values(g)]);
  }
  await plugin.onEpochEnd!(metrics(0), fake.epoch(0));
  tf.dispose([w, b, x]);
  const rows = fake.rows.gradients.filter((r) => r.point === "epoch");
  assert.equal(rows.length, 1);
  assert.ok(Number.isFinite(rows[0].norm) && (rows[0].norm as number) > 0);
});

Deno.test("gradientNorms keeps conv and dense layers by default, batch norm only with layers: all, at the trainer's depths", async () => {
  const withBn = (v: number): NamedGradient[] => [
    { layer: "conv", weight: "kernel", depth: 0, path: "main", grad: tf.fill([3, 3, 1, 1], v) },
    { layer: "bn", weight: "gamma", depth: 1, path: "main", grad: tf.fill([1], v) },
    { layer: "bn", weight: "beta", depth: 1, path: "main", grad: tf.fill([1], v) },
    { layer: "dense", weight: "kernel", depth: 2, path: "main", grad: tf.fill([2, 2], v) },
  ];
  const run = async (plugin: Plugin) => {
    const fake = fakeRun();
    const g = withBn(1);
    await plugin.afterGradients!(g, fake.step(0, 0));
    tf.dispose(g.map((x) => x.grad));
    await plugin.onEpochEnd!(metrics(0), fake.epoch(0));
    await plugin.teardown?.(fake.run);
    return (fake.rows.gradients ?? []).filter((r) => r.point === "epoch")
      .map((r) => [r.layer, r.depth]);
  };
  assert.deepEqual(await run(probe()), [["conv", 0], ["dense", 2]]);
  assert.deepEqual(await run(probe({ layers: "all" })), [["conv", 0], ["bn", 1], ["dense", 2]]);
});

Deno.test("gradientNorms records the first step of a fresh run as point init, and a resumed run never", async () => {
  const rows = async (resumed: boolean) => {
    const fake = fakeRun();
    const plugin = probe();
    for (let s = 0; s < 2; s++) {
      const g = grads(s + 1);
      const ctx = fake.step(0, s);
      await plugin.afterGradients!(
        g,
        resumed ? { ...ctx, resumedFrom: { epoch: 0, step: 0 } } : ctx,
      );
      tf.dispose(g.map((x) => x.grad));
    }
    await plugin.onEpochEnd!(metrics(0), fake.epoch(0));
    await plugin.teardown?.(fake.run);
    return (fake.rows.gradients ?? []).filter((r) => r.point === "init");
  };
  const init = await rows(false);
  // The first step alone (gradients all 1), not the epoch's mean.
  assert.deepEqual(init.map((r) => [r.layer, r.step, r.path, r.depth]), [
    ["conv", 0, "main", 0],
    ["dense", 0, "main", 1],
  ]);
  close(init[0].norm, Math.sqrt(11));
  assert.deepEqual(await rows(true), []);
});
