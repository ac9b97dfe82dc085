import assert from "node:assert/strict";
import { confusionMatrix } from "../../train/confusion.ts";

const actual = [0, 0, 1, 1, 1, 2, 2];
const predicted = [0, 1, 1, 1, 1, 0, 0];

Deno.test("confusionMatrix() counts actual rows against predicted columns", () => {
  assert.deepEqual(confusionMatrix(actual, predicted, 3), [[1, 1, 0], [0, 3, 0], [2, 0, 0]]);
  assert.deepEqual(confusionMatrix(new Int32Array([1]), new Int32Array([0]), 2), [[0, 0], [1, 0]]);
});

Deno.test("confusionMatrix() rejects labels out of range and unequal lengths", () => {
  assert.throws(
    () => confusionMatrix([0, 3], [0, 1], 3),
    /labels must be integers in \[0, 3\), got 3 at index 1/,
  );
  assert.throws(() => confusionMatrix([0, 1], [0], 3), /equal lengths, got 2 and 1/);
  assert.throws(() => confusionMatrix([0], [0], 0), /'classes' must be a positive integer, got 0/);
});
