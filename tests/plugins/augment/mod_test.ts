import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { brightness, cutout, flip, randomCrop } from "../../../plugins/augment/mod.ts";
import { firstBatch, run } from "./_batch.ts";
import { stepContext } from "./_context.ts";

Deno.test("augmentations give the same batches for the same seed and differ across seeds", async () => {
  for (const factory of [flip, brightness, randomCrop, cutout]) {
    const plugin = factory.create(factory.schema.parse({}) as never);
    const [a, b, c] = [await run(plugin, 5), await run(plugin, 5), await run(plugin, 6)];
    assert.deepEqual(a.after, b.after, factory.name);
    assert.notDeepEqual(a.after, c.after, factory.name);
    tf.dispose([a.before, b.before, c.before]);
  }
});

Deno.test("augmentations free every tensor they make inside the trainer's tidy", async () => {
  const batch = await firstBatch();
  const before = tf.memory().numTensors;
  for (const factory of [flip, brightness, randomCrop, cutout]) {
    const plugin = factory.create(factory.schema.parse({}) as never);
    tf.tidy(() => void plugin.transformBatch!(batch, stepContext(1)));
  }
  assert.equal(tf.memory().numTensors, before);
  tf.dispose([batch.xs, batch.ys]);
});

Deno.test("augmentation schemas reject unknown keys and out-of-range values", () => {
  assert.throws(() => flip.schema.parse({ prob: 0.5 }), /prob/);
  assert.throws(() => flip.schema.parse({ p: 1.5 }));
  assert.throws(() => brightness.schema.parse({ max_delta: -0.1 }));
  assert.throws(() => randomCrop.schema.parse({ padding: 2.5 }));
  assert.throws(() => cutout.schema.parse({ size: 0 }));
  assert.deepEqual(cutout.schema.parse({}), { size: 8, p: 1 });
  assert.deepEqual(randomCrop.schema.parse({}), { padding: 4, fill: -1 });
});
