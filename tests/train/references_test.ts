/**
 * skiplab's loss, accuracy, confusion matrix and classification report against
 * scikit-learn's on the same predictions. The references in
 * tests/fixtures/references/metrics.json were computed by scikit-learn
 * (log_loss, accuracy_score, confusion_matrix, precision_recall_fscore_support
 * and classification_report with zero_division=0 and every class listed) by
 * make_references.py beside it, which also drew the predictions; the test
 * itself needs no Python.
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { classificationReport, formatClassificationReport } from "../../analysis/metrics.ts";
import type { ImageSet } from "../../data/image_set.ts";
import { evaluate } from "../../train/evaluate.ts";

await tf.setBackend("cpu");

interface ReferenceCase {
  name: string;
  class_names: string[];
  absent: number[];
  never_predicted: number[];
  labels: number[];
  probabilities: number[][];
  predicted: number[];
  log_loss: number;
  accuracy: number;
  confusion_matrix: number[][];
  precision: number[];
  recall: number[];
  f1: number[];
  support: number[];
  report: Record<string, Record<string, number> | number>;
  report_text: string;
}

const fixture = JSON.parse(
  await Deno.readTextFile(new URL("../fixtures/references/metrics.json", import.meta.url)),
) as { cases: ReferenceCase[] };

/**
 * A set of one-hot images (image i lights pixel byte i) and a one-layer model
 * whose softmax output on image i is exactly the fixture's probabilities, so
 * the predictions go through evaluate() as a trained model's would.
 */
function replay(c: ReferenceCase): { model: tf.LayersModel; set: ImageSet } {
  const n = c.labels.length, classes = c.class_names.length, features = 32 * 32 * 3;
  const images = new Uint8Array(n * features);
  for (let i = 0; i < n; i++) images[i * features + i] = 255;
  // The pipeline maps byte 0 to -1 and 255 to +1: logits_i = 2 W[i] - Σ W + b.
  const kernel = new Float32Array(features * classes);
  const bias = new Float32Array(classes);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < classes; k++) {
      kernel[i * classes + k] = Math.log(c.probabilities[i][k]) / 2;
      bias[k] += kernel[i * classes + k];
    }
  }
  const model = tf.sequential({
    layers: [
      tf.layers.flatten({ inputShape: [32, 32, 3] }),
      tf.layers.dense({ units: classes, activation: "softmax" }),
    ],
  });
  model.layers[1].setWeights([tf.tensor2d(kernel, [features, classes]), tf.tensor1d(bias)]);
  const set: ImageSet = {
    images,
    labels: Uint8Array.from(c.labels),
    count: n,
    shape: [32, 32, 3],
    classNames: c.class_names,
  };
  return { model, set };
}

const close = (actual: number, expected: number, tol: number, what: string) =>
  assert.ok(
    Math.abs(actual - expected) <= tol,
    `${what}: skiplab ${actual}, scikit-learn ${expected}`,
  );

for (const c of fixture.cases) {
  Deno.test(`evaluate() matches scikit-learn's log_loss, accuracy and confusion matrix (${c.name})`, async () => {
    const { model, set } = replay(c);
    // A batch size that leaves a partial last batch: the mean must weight batches by size.
    const result = await evaluate(model, set, { batchSize: 16 });
    model.dispose();
    assert.deepEqual(Array.from(result.predicted), c.predicted);
    close(result.loss, c.log_loss, 1e-5, "log loss");
    close(result.acc, c.accuracy, 1e-12, "accuracy");
    assert.deepEqual(result.confusion, c.confusion_matrix);
  });

  Deno.test(`classificationReport() matches scikit-learn's classification_report (${c.name})`, () => {
    const rows = classificationReport(c.confusion_matrix, c.class_names);
    c.class_names.forEach((name, k) => {
      const row = rows[k];
      assert.equal(row.class, name);
      close(row.precision, c.precision[k], 1e-12, `${name} precision`);
      close(row.recall, c.recall[k], 1e-12, `${name} recall`);
      close(row.f1, c.f1[k], 1e-12, `${name} f1`);
      assert.equal(row.support, c.support[k], `${name} support`);
    });
    for (const k of c.never_predicted) assert.equal(rows[k].precision, 0);
    for (const k of c.absent) assert.deepEqual([rows[k].recall, rows[k].support], [0, 0]);
    for (const summary of ["macro avg", "weighted avg"]) {
      const row = rows.find((r) => r.class === summary)!;
      const ref = c.report[summary] as Record<string, number>;
      close(row.precision, ref.precision, 1e-12, `${summary} precision`);
      close(row.recall, ref.recall, 1e-12, `${summary} recall`);
      close(row.f1, ref["f1-score"], 1e-12, `${summary} f1`);
      assert.equal(row.support, ref.support);
    }
    const accuracy = rows.find((r) => r.class === "accuracy")!;
    close(accuracy.f1, c.report.accuracy as number, 1e-12, "accuracy");
    assert.equal(formatClassificationReport(rows, 4), c.report_text);
  });
}
