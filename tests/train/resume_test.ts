import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { selectBackend } from "../../backends/mod.ts";
import { createPluginRegistry, instantiatePlugin, type Plugin } from "../../plugins/mod.ts";
import { loadCheckpoint, train, type TrainOptions } from "../../train/mod.ts";
import { comparable, TINY_DATA, tinyModel } from "./_tiny.ts";

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
  plugins,
  runDir,
});

async function weightsOf(model: tf.LayersModel): Promise<Float32Array[]> {
  return await Promise.all(model.weights.map((w) => w.read().data() as Promise<Float32Array>));
}

for (const stopAt of [3, 4]) {
  const where = stopAt % 3 === 0 ? "between epochs" : "mid-epoch";
  Deno.test(`train() interrupted ${where} and resumed equals an uninterrupted run (cpu)`, async () => {
    const dir = await Deno.makeTempDir();
    try {
      const whole = tinyModel();
      const full = await train(base(whole, await recipe(), `${dir}/full`));

      const ctl = new AbortController();
      const interrupter: Plugin = {
        name: "test/interrupter",
        transformBatch: (b, ctx) => (ctx.globalStep === stopAt - 1 && ctl.abort(), b),
      };
      const first = tinyModel();
      const cut = await train({
        ...base(first, [...await recipe(), interrupter], `${dir}/cut`),
        signal: ctl.signal,
      });
      assert.equal(cut.interrupted, true);
      assert.equal(cut.test, undefined);
      first.dispose();

      const resumed = tinyModel();
      const checkpoint = await loadCheckpoint(`${dir}/cut/checkpoints/last`);
      const rest = await train({
        ...base(resumed, await recipe(), `${dir}/cut`),
        resume: checkpoint,
      });
      tf.dispose([...Object.values(checkpoint.weights), ...Object.values(checkpoint.optimizer)]);

      assert.deepEqual(comparable(rest.history), comparable(full.history));
      assert.deepEqual(rest.tables.gradients, full.tables.gradients);
      const [a, b] = [await weightsOf(resumed), await weightsOf(whole)];
      for (let i = 0; i < a.length; i++) {
        const diff = a[i].reduce((m, v, j) => Math.max(m, Math.abs(v - b[i][j])), 0);
        assert.ok(diff <= 1e-6, `weight ${resumed.weights[i].originalName} differs by ${diff}`);
      }
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
