import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { brightness } from "../../../plugins/augment/mod.ts";
import { run } from "./_batch.ts";

Deno.test("brightness shifts each image by at most max_delta and stays in [-1, 1]", async () => {
  const { before, after } = await run(
    brightness.create(brightness.schema.parse({ max_delta: 0.1 })),
    2,
  );
  const plain = before.arraySync();
  const flat = after.flat(3), orig = plain.flat(3);
  assert.ok(flat.every((v) => v >= -1 && v <= 1));
  let moved = 0;
  for (let i = 0; i < flat.length; i++) {
    assert.ok(Math.abs(flat[i] - orig[i]) <= 0.2 + 1e-6); // 0.1 in [0,1] units = 0.2 in [-1,1]
    moved += +(flat[i] !== orig[i]);
  }
  assert.ok(moved > flat.length / 2);
  const strong = await run(brightness.create(brightness.schema.parse({ max_delta: 1 })), 2);
  assert.ok(strong.after.flat(3).every((v) => v >= -1 && v <= 1));
  tf.dispose([before, strong.before]);
});
