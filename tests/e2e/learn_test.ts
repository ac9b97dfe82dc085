import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { selectBackend } from "../../backends/mod.ts";
import { syntheticDataset } from "../../data/mod.ts";
import { buildModel, resnetSpec } from "../../models/mod.ts";
import type { Plugin } from "../../plugins/mod.ts";
import { train } from "../../train/mod.ts";

// wasm: the backend every machine has (about a minute here; native takes 25 s).
await selectBackend("wasm");

Deno.test("train() lifts a small ResNet above 90% validation accuracy on synthetic data, without leaking tensors", async () => {
  const before = tf.memory().numTensors;
  const data = syntheticDataset({ seed: 1, train: 1024, val: 256, test: 256 });
  const model = buildModel(
    resnetSpec({ name: "small_resnet", layers: [1, 1, 1], width: 8, dropout: 0 }),
    { seed: 1 },
  );
  const tensors: number[] = [];
  const counter: Plugin = {
    name: "test/tensor-count",
    onEpochEnd: () => void tensors.push(tf.memory().numTensors),
  };
  const result = await train({
    model,
    ...data,
    epochs: 5,
    batchSize: 32,
    seed: 1,
    optimizer: { type: "adam", lr: 3e-3 },
    plugins: [counter],
  });
  const best = Math.max(...result.history.map((m) => m.val_acc));
  assert.ok(best >= 0.9, `best val_acc ${best}`);
  assert.ok(result.test!.acc >= 0.85, `test acc ${result.test!.acc}`);
  assert.equal(result.stopReason, "completed");
  assert.deepEqual(tensors, tensors.map(() => tensors[0]), `tensors per epoch: ${tensors}`);
  model.dispose();
  assert.equal(tf.memory().numTensors, before, "every tensor of the run is freed with the model");
});
