import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { flip } from "../../../plugins/augment/mod.ts";
import { run } from "./_batch.ts";

Deno.test("flip mirrors images exactly, and every image when p = 1", async () => {
  const { before, after } = await run(flip.create(flip.schema.parse({ p: 1 })), 1);
  assert.deepEqual(after, tf.tidy(() => tf.reverse(before, 2).arraySync()));
  const none = await run(flip.create(flip.schema.parse({ p: 0 })), 1);
  assert.deepEqual(none.after, none.before.arraySync());
  tf.dispose([before, none.before]);
});

Deno.test("flip with p = 0.5 mirrors some images and keeps the others", async () => {
  const { before, after } = await run(flip.create(flip.schema.parse({})), 7);
  const plain = before.arraySync(), mirrored = tf.tidy(() => tf.reverse(before, 2).arraySync());
  const kinds = after.map((img, i) => {
    const same = JSON.stringify(img) === JSON.stringify(plain[i]);
    const flipped = JSON.stringify(img) === JSON.stringify(mirrored[i]);
    assert.ok(same || flipped, `image ${i} is neither itself nor its mirror`);
    return flipped;
  });
  assert.ok(kinds.includes(true) && kinds.includes(false));
  before.dispose();
});
