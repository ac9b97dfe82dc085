import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { selectBackend } from "../../backends/mod.ts";
import { createPluginRegistry, instantiatePlugin, type Plugin } from "../../plugins/mod.ts";
import { loadCheckpoint, train } from "../../train/mod.ts";
import { TINY_DATA, tinyModel } from "./_tiny.ts";

await selectBackend("cpu");

Deno.test("train() stops on a NaN loss, names epoch and step, and keeps the last good checkpoint", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const poison: Plugin = {
      name: "test/poison",
      transformBatch: (b, ctx) => (ctx.globalStep === 4 ? { xs: b.xs.mul(NaN), ys: b.ys } : b),
    };
    const model = tinyModel();
    const result = await train({
      model,
      ...TINY_DATA,
      epochs: 3,
      batchSize: 32,
      optimizer: { type: "adam", lr: 1e-3 },
      plugins: [
        poison,
        await instantiatePlugin({ name: "callbacks/model-checkpoint" }, createPluginRegistry()),
      ],
      runDir: dir,
    });
    assert.match(
      result.stopReason,
      /^loss became NaN at epoch 2, step 2; this step was not applied and the checkpoints were left/,
    );
    assert.equal(result.history.length, 1);
    const last = await loadCheckpoint(`${dir}/checkpoints/last`);
    assert.equal(last.state.epoch, 1);
    const finite = Object.values(last.weights).every((t) => tf.all(tf.isFinite(t)).dataSync()[0]);
    assert.ok(finite, "the saved weights are the ones before the NaN");
    tf.dispose([...Object.values(last.weights), ...Object.values(last.optimizer)]);
    const live = model.weights.every((w) => tf.all(tf.isFinite(w.read())).dataSync()[0]);
    assert.ok(live, "the model in memory was not updated with the NaN step");
    model.dispose();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
