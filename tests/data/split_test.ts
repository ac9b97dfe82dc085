import assert from "node:assert/strict";
import { type ImageSet, limitImageSet, splitValidation } from "../../data/mod.ts";

/** A set whose image i holds the byte i (mod 256) everywhere, with labels cycling over 3 classes unevenly. */
function indexed(count: number): ImageSet {
  const images = new Uint8Array(count * 3), labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    images.fill(i % 256, i * 3, i * 3 + 3);
    labels[i] = i % 7 < 4 ? 0 : i % 7 < 6 ? 1 : 2;
  }
  return { images, labels, count, shape: [1, 1, 3], classNames: ["a", "b", "c"] };
}

Deno.test("splitValidation() keeps each image with its label and the others in order when stratified", () => {
  const set = indexed(140), original = indexed(140);
  const { train, val } = splitValidation(set, 14, true);
  const origin = (s: ImageSet, i: number) => s.images[i * 3];
  for (const part of [train, val]) {
    for (let i = 0; i < part.count; i++) {
      assert.equal(part.labels[i], original.labels[origin(part, i)]);
    }
  }
  const counts = (s: ImageSet) => [0, 1, 2].map((c) => s.labels.filter((l) => l === c).length);
  assert.deepEqual(counts(val), [8, 4, 2]); // 4:2:1 of 14
  const trainOrigins = Array.from({ length: train.count }, (_, i) => origin(train, i));
  assert.deepEqual(trainOrigins, [...trainOrigins].sort((a, b) => a - b));
  assert.deepEqual(
    new Set([...trainOrigins, ...Array.from({ length: 14 }, (_, i) => origin(val, i))]).size,
    140,
  );
});

Deno.test("splitValidation() takes the last images when not stratified", () => {
  const { train, val } = splitValidation(indexed(10), 3);
  assert.deepEqual(Array.from(val.images.filter((_, i) => i % 3 === 0)), [7, 8, 9]);
  assert.equal(train.count, 7);
  assert.throws(
    () => splitValidation(indexed(10), 11),
    /valSize: must be an integer in \[0, 10\], got 11/,
  );
});

Deno.test("limitImageSet() copies the first images so the full set can be freed", () => {
  const set = indexed(10);
  const small = limitImageSet(set, 4, "train");
  assert.equal(small.count, 4);
  assert.notEqual(small.images.buffer, set.images.buffer);
  assert.equal(limitImageSet(set, 20, "train"), set);
  assert.throws(
    () => limitImageSet(set, -1, "val"),
    /limit for 'val': must be an integer >= 0, got -1/,
  );
});
