import assert from "node:assert/strict";
import { modelCheckpoint } from "../../../plugins/callbacks/model_checkpoint.ts";
import type { ModelCheckpointOptions } from "../../../plugins/callbacks/model_checkpoint.ts";
import { drive, fakeRun, valLoss } from "../_context.ts";

const checkpointer = (options: Partial<ModelCheckpointOptions>) =>
  modelCheckpoint.create(modelCheckpoint.schema.parse(options));

Deno.test("modelCheckpoint saves the best weights on improvement and the last checkpoint every epoch", async () => {
  const fake = fakeRun();
  await drive(checkpointer({}), valLoss(1, 0.8, 0.9, 0.7), fake);
  assert.deepEqual(fake.events, [
    "save:best@0",
    "checkpoint:best@0",
    "checkpoint:last@0",
    "save:best@1",
    "checkpoint:best@1",
    "checkpoint:last@1",
    "checkpoint:last@2",
    "save:best@3",
    "checkpoint:best@3",
    "checkpoint:last@3",
  ]);
  assert.equal(fake.slots.get("best"), 3);
});

Deno.test("modelCheckpoint honours save_best, save_last and the monitor's direction", async () => {
  const lastOnly = fakeRun();
  await drive(checkpointer({ save_best: false }), valLoss(1, 0.5), lastOnly);
  assert.deepEqual(lastOnly.events, ["checkpoint:last@0", "checkpoint:last@1"]);

  const bestAcc = fakeRun();
  await drive(
    checkpointer({ monitor: "val_acc", save_last: false }),
    [0.5, 0.4, 0.7].map((val_acc) => ({ val_acc })),
    bestAcc,
  );
  assert.deepEqual(bestAcc.events, [
    "save:best@0",
    "checkpoint:best@0",
    "save:best@2",
    "checkpoint:best@2",
  ]);
});

Deno.test("modelCheckpoint resumed from its saved state keeps the best value", async () => {
  const first = checkpointer({ save_last: false });
  await drive(first, valLoss(0.5), fakeRun());
  const resumed = checkpointer({ save_last: false });
  resumed.setState!(JSON.parse(JSON.stringify(first.getState!())));
  const fake = fakeRun();
  await drive(resumed, valLoss(0.6, 0.4), fake, 1);
  assert.deepEqual(fake.events, ["save:best@2", "checkpoint:best@2"]);
});
