import assert from "node:assert/strict";
import { reduceLrOnPlateau } from "../../../plugins/callbacks/reduce_lr_on_plateau.ts";
import type { ReduceLrOnPlateauOptions } from "../../../plugins/callbacks/reduce_lr_on_plateau.ts";
import { drive, fakeRun, valLoss } from "../_context.ts";

const plateau = (options: Partial<ReduceLrOnPlateauOptions>) =>
  reduceLrOnPlateau.create(reduceLrOnPlateau.schema.parse(options));

Deno.test("reduceLrOnPlateau lowers the learning rate by the factor after patience stalled epochs", async () => {
  const fake = fakeRun({ lr: 1e-3 });
  const lrs = await drive(
    plateau({ factor: 0.2, patience: 3, min_delta: 0 }),
    valLoss(1, 0.9, 0.95, 0.95, 0.95, 0.91, 0.92, 0.93, 0.94, 0.95),
    fake,
  );
  // Epochs 2–4 stall: lowered after epoch 4; epochs 5–7 stall again: lowered after epoch 7.
  assert.deepEqual(lrs.map((lr) => +lr.toPrecision(6)), [
    1e-3,
    1e-3,
    1e-3,
    1e-3,
    1e-3,
    2e-4,
    2e-4,
    2e-4,
    4e-5,
    4e-5,
  ]);
  assert.equal(fake.logs.length, 2);
  assert.match(fake.logs[0], /val_loss has not improved for 3 epochs.*0\.001 -> 0\.0002/);
});

Deno.test("reduceLrOnPlateau counts improvements smaller than min_delta as stalls", async () => {
  const fake = fakeRun({ lr: 1 });
  await drive(
    plateau({ factor: 0.5, patience: 2, min_delta: 0.01 }),
    valLoss(1, 0.995, 0.991),
    fake,
  );
  assert.equal(fake.lr, 0.5);
});

Deno.test("reduceLrOnPlateau waits cooldown epochs after a reduction", async () => {
  const flat = valLoss(...Array(7).fill(1));
  const withCooldown = fakeRun({ lr: 1 });
  const lrs = await drive(plateau({ factor: 0.5, patience: 1, cooldown: 2 }), flat, withCooldown);
  // Keras: reduced after epochs 1, 3 and 5 (the cooldown epoch after each does not count).
  assert.deepEqual(lrs, [1, 1, 0.5, 0.5, 0.25, 0.25, 0.125]);
  const without = fakeRun({ lr: 1 });
  assert.deepEqual(await drive(plateau({ factor: 0.5, patience: 1 }), flat, without), [
    1,
    1,
    0.5,
    0.25,
    0.125,
    0.0625,
    0.03125,
  ]);
});

Deno.test("reduceLrOnPlateau never goes below min_lr", async () => {
  const fake = fakeRun({ lr: 1e-3 });
  const lrs = await drive(
    plateau({ factor: 0.1, patience: 1, min_lr: 5e-5 }),
    valLoss(...Array(6).fill(1)),
    fake,
  );
  assert.deepEqual(lrs.map((lr) => +lr.toPrecision(6)), [1e-3, 1e-3, 1e-4, 5e-5, 5e-5, 5e-5]);
  assert.equal(fake.logs.length, 2, "no reduction is logged once at min_lr");
});

Deno.test("reduceLrOnPlateau treats accuracies as higher-is-better in auto mode", async () => {
  const fake = fakeRun({ lr: 1 });
  await drive(
    plateau({ monitor: "val_acc", factor: 0.5, patience: 2 }),
    [0.5, 0.6, 0.7, 0.8].map((val_acc) => ({ val_acc })),
    fake,
  );
  assert.equal(fake.lr, 1);
  await drive(plateau({ monitor: "val_acc", mode: "min", factor: 0.5, patience: 2 }), [
    { val_acc: 0.5 },
    { val_acc: 0.6 },
    { val_acc: 0.7 },
  ], fake);
  assert.equal(fake.lr, 0.5);
});

Deno.test("reduceLrOnPlateau resumed from its saved state behaves as if never interrupted", async () => {
  const series = valLoss(1, 0.9, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95);
  const options = { factor: 0.5, patience: 2, cooldown: 1 };
  const whole = await drive(plateau(options), series, fakeRun({ lr: 1 }));

  const fake = fakeRun({ lr: 1 });
  const first = plateau(options);
  const before = await drive(first, series.slice(0, 3), fake);
  const resumed = plateau(options);
  resumed.setState!(JSON.parse(JSON.stringify(await first.getState!())));
  const after = await drive(resumed, series.slice(3), fake, 3);
  assert.deepEqual([...before, ...after], whole);
});

Deno.test("reduceLrOnPlateau rejects an unknown monitor and a malformed state", async () => {
  await assert.rejects(
    () => drive(plateau({ monitor: "val_los" }), valLoss(1)),
    (e: Error) => e instanceof RangeError && /'val_los'.*val_loss/.test(e.message),
  );
  assert.throws(() => plateau({}).setState!({ best: 1, wait: -1 }), TypeError);
});

Deno.test("reduceLrOnPlateau's schema rejects a factor of 1 or more", () => {
  assert.equal(reduceLrOnPlateau.schema.safeParse({ factor: 1 }).success, false);
  assert.equal(reduceLrOnPlateau.schema.safeParse({ patience: 3, factor: 0.2 }).success, true);
});
