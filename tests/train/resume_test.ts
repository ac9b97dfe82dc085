import assert from "node:assert/strict";
import type * as tf from "@tensorflow/tfjs";
import { selectBackend } from "../../backends/mod.ts";
import { createPluginRegistry, instantiatePlugin, type Plugin } from "../../plugins/mod.ts";
import { train, type TrainOptions } from "../../train/mod.ts";
import { stepTable } from "../../train/observers/mod.ts";
import { readSteps, runPath, STEP_CLOCK_COLUMNS } from "../../rundir/mod.ts";
import {
  assertSameWeights,
  comparable,
  interruptAndResume,
  TINY_DATA,
  tinyModel,
} from "./_tiny.ts";

await selectBackend("cpu");

const registry = createPluginRegistry();
const recipe = async (): Promise<Plugin[]> => [
  await instantiatePlugin({ name: "augment/flip" }, registry),
  await instantiatePlugin({
    name: "callbacks/reduce-lr-on-plateau",
    options: { factor: 0.5, patience: 1 },
  }, registry),
  await instantiatePlugin({
    name: "callbacks/early-stopping",
    options: { patience: 5, restore_best: true },
  }, registry),
  await instantiatePlugin({ name: "callbacks/model-checkpoint" }, registry),
  await instantiatePlugin({ name: "probes/gradient-norms" }, registry),
];

const base = (model: tf.LayersModel, plugins: Plugin[], runDir: string): TrainOptions => ({
  model,
  train: TINY_DATA.train,
  val: TINY_DATA.val,
  test: TINY_DATA.test,
  epochs: 3,
  batchSize: 32,
  seed: 5,
  optimizer: { type: "adam", lr: 3e-3 },
  plugins: [...plugins, stepTable(runDir, 2)],
  runDir,
});

/** steps.csv of a run without the clock's columns, which no resume reproduces. */
const exactSteps = async (dir: string) =>
  (await readSteps(runPath(dir, "steps"))).map((r) =>
    Object.fromEntries(Object.entries(r).filter(([k]) => !STEP_CLOCK_COLUMNS.includes(k)))
  );

// 96 images in batches of 32: 3 steps an epoch, 9 in the run. Stopped after step 9, the run
// has trained every epoch and saved checkpoints/last, but not yet its final gradients or test.
for (const stopAt of [3, 4, 9]) {
  const where = stopAt === 9
    ? "after the last epoch's checkpoint"
    : stopAt % 3 === 0
    ? "between epochs"
    : "mid-epoch";
  Deno.test(`train() interrupted ${where} and resumed equals an uninterrupted run (cpu)`, async () => {
    const dir = await Deno.makeTempDir();
    try {
      const { full, rest, whole, resumed } = await interruptAndResume(
        base,
        recipe,
        dir,
        stopAt - 1,
      );
      assert.deepEqual(comparable(rest.history), comparable(full.history));
      assert.deepEqual(rest.tables.gradients, full.tables.gradients);
      const steps = await exactSteps(`${dir}/full`);
      assert.ok(steps.length >= 6, `a row every 2 steps, got ${steps.length}`);
      assert.deepEqual(await exactSteps(`${dir}/cut`), steps);
      await assertSameWeights(resumed, whole);
      assert.equal(rest.test?.acc, full.test?.acc);
      whole.dispose();
      resumed.dispose();
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("train() with the same seed gives the same history, and a different seed another (cpu)", async () => {
  const run = async (seed: number) => {
    const model = tinyModel(seed);
    const r = await train({
      ...base(model, await recipe(), ""),
      runDir: undefined,
      epochs: 2,
      seed,
    });
    model.dispose();
    return comparable(r.history);
  };
  const a = await run(1);
  assert.deepEqual(await run(1), a);
  assert.notDeepEqual(await run(2), a);
});
