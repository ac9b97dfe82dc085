import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { selectBackend } from "../../backends/mod.ts";
import { exportModel, loadRun } from "../../inference/mod.ts";
import { CheckpointError, writeHistory } from "../../rundir/mod.ts";
import { loadCheckpointModel, loadModelFolder, saveCheckpoint } from "../../train/mod.ts";
import { tinyModel } from "./_tiny.ts";

await selectBackend("cpu");

const STATE = {
  epoch: 3,
  step: 0,
  lr: 1e-3,
  iterations: 9,
  partial: { loss: 0, correct: 0, seen: 0, seconds: 0 },
  stepRng: [],
  dropoutRng: {},
  plugins: {},
  history: [],
  tables: {},
};

Deno.test("loadCheckpointModel() gives the saved model and state; a damaged one fails naming the file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const model = tinyModel();
    await saveCheckpoint(`${dir}/c`, model, {}, {}, STATE);
    const { model: back, state } = await loadCheckpointModel(`${dir}/c`);
    assert.equal(state.epoch, 3);
    const x = tf.ones([1, 32, 32, 3]);
    const [a, b] = [model, back].map((m) => (m.predict(x) as tf.Tensor).dataSync());
    assert.deepEqual(a, b);
    x.dispose();
    model.dispose();
    back.dispose();
    const bytes = await Deno.readFile(`${dir}/c/weights.bin`);
    await Deno.writeFile(`${dir}/c/weights.bin`, bytes.subarray(0, 100));
    await assert.rejects(loadCheckpointModel(`${dir}/c`), (e: Error) => {
      assert.ok(e instanceof CheckpointError);
      assert.match(e.message, /^Cannot load '.*\/c': weights\.bin: 100 bytes, expected \d+/);
      return true;
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadModelFolder() refuses weight paths outside the folder and names missing files", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const model = tinyModel();
    await exportModel(model, `${dir}/m`, { classNames: Array.from({ length: 10 }, String) });
    model.dispose();
    const json = JSON.parse(await Deno.readTextFile(`${dir}/m/model.json`));
    json.weightsManifest[0].paths = ["../secret.bin"];
    await Deno.writeTextFile(`${dir}/m/model.json`, JSON.stringify(json));
    await assert.rejects(
      loadModelFolder(`${dir}/m`),
      /a weight file must be a plain name .*'\.\.\/secret\.bin'/,
    );
    json.weightsManifest[0].paths = ["gone.bin"];
    await Deno.writeTextFile(`${dir}/m/model.json`, JSON.stringify(json));
    await assert.rejects(loadModelFolder(`${dir}/m`), /gone\.bin \(in model\.json\) is missing/);
    await assert.rejects(loadModelFolder(dir), /has no model\.json/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadRun() says when a run has no checkpoint of the slot asked for", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await writeHistory(dir, []);
    await assert.rejects(loadRun(dir, { checkpoint: "last" }), /it has no checkpoints\/last/);
    // A recipe that keeps only `last` (he-cifar.yaml): the message points to it.
    await Deno.mkdir(`${dir}/checkpoints/last`, { recursive: true });
    await assert.rejects(
      loadRun(dir),
      /no checkpoints\/best \(its recipe saves no best weights\); its checkpoints\/last holds/,
    );
    await assert.rejects(loadRun(`${dir}/nothing`), /holds neither history\.csv nor summary\.json/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
