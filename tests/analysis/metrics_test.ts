import assert from "node:assert/strict";
import {
  classificationReport,
  formatClassificationReport,
  topKAccuracy,
} from "../../analysis/metrics.ts";
import { confusionMatrix } from "../../train/confusion.ts";

// Class c is never predicted; class b has more support than a, so weighted and macro averages differ.
const actual = [0, 0, 1, 1, 1, 2, 2];
const predicted = [0, 1, 1, 1, 1, 0, 0];

const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} != ${b}`);

Deno.test("classificationReport() matches hand-computed values, 0 for a never-predicted class", () => {
  const rows = classificationReport(confusionMatrix(actual, predicted, 3), ["a", "b", "c"]);
  assert.deepEqual(rows.map((r) => r.class), [
    "a",
    "b",
    "c",
    "accuracy",
    "macro avg",
    "weighted avg",
  ]);
  const [a, b, c, acc, macro, weighted] = rows;
  close(a.precision, 1 / 3), close(a.recall, 1 / 2), close(a.f1, 0.4), assert.equal(a.support, 2);
  close(b.precision, 3 / 4), close(b.recall, 1), close(b.f1, 6 / 7), assert.equal(b.support, 3);
  assert.deepEqual(c, { class: "c", precision: 0, recall: 0, f1: 0, support: 2 });
  close(acc.f1, 4 / 7), assert.equal(acc.support, 7);
  close(macro.precision, 13 / 36), close(macro.recall, 0.5), close(macro.f1, 8.8 / 21);
  close(weighted.precision, 5 / 12), close(weighted.recall, 4 / 7), close(weighted.f1, 23.6 / 49);
  assert.ok(rows.every((r) => [r.precision, r.recall, r.f1].every(Number.isFinite)));
});

Deno.test("classificationReport() gives 0, not NaN, for a class with no examples at all", () => {
  const rows = classificationReport([[2, 0], [0, 0]], ["x", "y"]);
  assert.deepEqual(rows[1], { class: "y", precision: 0, recall: 0, f1: 0, support: 0 });
  assert.throws(() => classificationReport([[1, 0]], ["x", "y"]), /must be 2x2/);
});

Deno.test("formatClassificationReport() uses scikit-learn's layout", () => {
  const text = formatClassificationReport(
    classificationReport(confusionMatrix(actual, predicted, 3), ["a", "b", "c"]),
  );
  const expected = [
    "              precision    recall  f1-score   support",
    "",
    "           a       0.33      0.50      0.40         2",
    "           b       0.75      1.00      0.86         3",
    "           c       0.00      0.00      0.00         2",
    "",
    "    accuracy                           0.57         7",
    "   macro avg       0.36      0.50      0.42         7",
    "weighted avg       0.42      0.57      0.48         7",
    "",
  ].join("\n");
  assert.equal(text, expected);
});

Deno.test("topKAccuracy() counts the true class among the k most probable", () => {
  const probs = [[0.1, 0.6, 0.3], [0.5, 0.2, 0.3], [0.2, 0.3, 0.5], [0.7, 0.2, 0.1]];
  const labels = [2, 2, 0, 0];
  assert.equal(topKAccuracy(probs, labels, 1), 1 / 4);
  assert.equal(topKAccuracy(probs, labels, 2), 3 / 4);
  assert.equal(topKAccuracy(probs, labels, 3), 1);
  assert.equal(topKAccuracy(new Float32Array(probs.flat()), labels, 2), 3 / 4);
});

Deno.test("topKAccuracy() rejects k outside [1, classes] and ragged probabilities", () => {
  assert.throws(
    () => topKAccuracy([[0.5, 0.5]], [0], 3),
    /'k' must be an integer in \[1, 2\], got 3/,
  );
  assert.throws(() => topKAccuracy(new Float32Array(5), [0, 1], 1), /multiple of 2 labels, got 5/);
  assert.throws(() => topKAccuracy([[1, 0]], [2], 1), /labels must be integers in \[0, 2\), got 2/);
});
