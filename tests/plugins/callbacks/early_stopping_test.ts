import assert from "node:assert/strict";
import { earlyStopping } from "../../../plugins/callbacks/early_stopping.ts";
import type { EarlyStoppingOptions } from "../../../plugins/callbacks/early_stopping.ts";
import { drive, fakeRun, valLoss } from "../_context.ts";

const stopper = (options: Partial<EarlyStoppingOptions>) =>
  earlyStopping.create(earlyStopping.schema.parse(options));

Deno.test("earlyStopping stops after patience epochs without improvement and restores the best weights", async () => {
  const fake = fakeRun({ epochs: 30 });
  const ran = await drive(
    stopper({ patience: 3, restore_best: true }),
    valLoss(1, 0.5, 0.6, 0.4, 0.45, 0.5, 0.41, 0.3, 0.2),
    fake,
  );
  assert.equal(ran.length, 7, "stops after epoch 7 (index 6), three epochs after the best");
  assert.equal(fake.stops.length, 1);
  assert.match(fake.stops[0], /val_loss has not improved for 3 epochs/);
  assert.match(fake.stops[0], /best 0\.4 at epoch 4/);
  assert.match(fake.stops[0], /after epoch 7\/30/);
  assert.equal(fake.weights, 3, "the weights of the best epoch are back");
  assert.deepEqual(fake.events, [
    "save:early-stopping@0",
    "save:early-stopping@1",
    "save:early-stopping@3",
    "restore:early-stopping@6",
  ]);
});

Deno.test("earlyStopping leaves the weights alone without restore_best", async () => {
  const fake = fakeRun();
  await drive(stopper({ patience: 1 }), valLoss(1, 2, 3), fake);
  assert.equal(fake.stops.length, 1);
  assert.deepEqual(fake.events, []);
  assert.equal(fake.weights, 1);
});

Deno.test("earlyStopping never stops while the metric improves by more than min_delta", async () => {
  const fake = fakeRun();
  await drive(stopper({ patience: 2, min_delta: 0.05 }), valLoss(1, 0.9, 0.8, 0.7, 0.6, 0.5), fake);
  assert.deepEqual(fake.stops, []);
  await drive(stopper({ patience: 2, min_delta: 0.05 }), valLoss(1, 0.97, 0.96), fake);
  assert.equal(fake.stops.length, 1, "improvements under min_delta are stalls");
});

Deno.test("earlyStopping watches val_acc upwards in auto mode", async () => {
  const fake = fakeRun();
  await drive(stopper({ monitor: "val_acc", patience: 2 }), [
    { val_acc: 0.5 },
    { val_acc: 0.6 },
    { val_acc: 0.55 },
    { val_acc: 0.58 },
  ], fake);
  assert.equal(fake.stops.length, 1);
  assert.match(fake.stops[0], /best 0\.6 at epoch 2/);
});

Deno.test("earlyStopping resumed from its saved state stops at the same epoch", async () => {
  const series = valLoss(1, 0.5, 0.6, 0.7, 0.8, 0.9);
  const whole = fakeRun();
  await drive(stopper({ patience: 3 }), series, whole);

  const fake = fakeRun();
  const first = stopper({ patience: 3 });
  await drive(first, series.slice(0, 3), fake);
  const resumed = stopper({ patience: 3 });
  resumed.setState!(JSON.parse(JSON.stringify(await first.getState!())));
  await drive(resumed, series.slice(3), fake, 3);
  assert.deepEqual(fake.stops, whole.stops);
});
