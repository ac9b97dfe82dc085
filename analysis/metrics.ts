/**
 * Classification metrics: the per-class report of a confusion matrix (the
 * layout of scikit-learn's classification_report) and top-k accuracy. The
 * confusion matrix itself is counted where the test set is evaluated
 * (train/confusion.ts).
 * @module
 */
import { checkLabels } from "../core/labels.ts";

/** One row of a classification report: a class, `accuracy`, `macro avg` or `weighted avg`. */
export interface ClassReportRow {
  /** Class name, or `accuracy`, `macro avg`, `weighted avg`. */
  readonly class: string;
  /** Correct among those predicted as the class (0 when none were). */
  readonly precision: number;
  /** Correct among the class's true examples (0 when there are none). */
  readonly recall: number;
  /** Harmonic mean of precision and recall (0 when both are 0). */
  readonly f1: number;
  /** Number of true examples of the class (the total for the summary rows). */
  readonly support: number;
}

const ratio = (num: number, den: number): number => (den === 0 ? 0 : num / den);

/**
 * Precision, recall, F1 and support per class, then `accuracy`, `macro avg` and
 * `weighted avg` rows. A ratio with a zero denominator (a class never predicted,
 * or never present) is 0, never NaN. The accuracy row holds the accuracy in
 * all three columns (for single-label data micro precision, recall and F1 all equal it).
 * @throws {RangeError} when the matrix is not square, not of non-negative integer
 * counts, or its size differs from the number of class names.
 * @example
 * ```ts
 * import { classificationReport } from "./metrics.ts";
 * const rows = classificationReport([[2, 0], [1, 1]], ["cat", "dog"]);
 * rows[0]; // { class: "cat", precision: 0.667, recall: 1, f1: 0.8, support: 2 } (rounded)
 * ```
 */
export function classificationReport(
  cm: readonly (readonly number[])[],
  classNames: readonly string[],
): ClassReportRow[] {
  const n = classNames.length;
  if (n === 0 || cm.length !== n || cm.some((row) => row.length !== n)) {
    throw new RangeError(
      `Cannot build a classification report: 'cm' must be ${n}x${n} like 'classNames', got ${cm.length} rows of lengths [${
        cm.map((r) => r.length).join(", ")
      }]`,
    );
  }
  const bad = cm.flat().find((v) => !Number.isInteger(v) || v < 0);
  if (bad !== undefined) {
    throw new RangeError(
      `Cannot build a classification report: counts must be non-negative integers, got ${bad}`,
    );
  }
  const rows: ClassReportRow[] = [];
  let total = 0, correct = 0;
  for (let c = 0; c < n; c++) {
    const tp = cm[c][c];
    const support = cm[c].reduce((a, b) => a + b, 0);
    const predicted = cm.reduce((a, row) => a + row[c], 0);
    const precision = ratio(tp, predicted), recall = ratio(tp, support);
    rows.push({
      class: classNames[c],
      precision,
      recall,
      f1: ratio(2 * precision * recall, precision + recall),
      support,
    });
    total += support;
    correct += tp;
  }
  const acc = ratio(correct, total);
  const perClass = rows.slice();
  const avg = (key: "precision" | "recall" | "f1", weighted: boolean): number =>
    weighted
      ? ratio(perClass.reduce((a, r) => a + r[key] * r.support, 0), total)
      : perClass.reduce((a, r) => a + r[key], 0) / n;
  rows.push({ class: "accuracy", precision: acc, recall: acc, f1: acc, support: total });
  for (const [name, weighted] of [["macro avg", false], ["weighted avg", true]] as const) {
    rows.push({
      class: name,
      precision: avg("precision", weighted),
      recall: avg("recall", weighted),
      f1: avg("f1", weighted),
      support: total,
    });
  }
  return rows;
}

/**
 * A classification report as text, in scikit-learn's classification_report layout.
 * @param digits Decimal places of the ratios.
 * @example
 * ```ts
 * import { classificationReport, formatClassificationReport } from "./metrics.ts";
 * console.log(formatClassificationReport(classificationReport([[2, 0], [1, 1]], ["cat", "dog"])));
 * ```
 */
export function formatClassificationReport(rows: readonly ClassReportRow[], digits = 2): string {
  if (!Number.isInteger(digits) || digits < 0 || digits > 10) {
    throw new RangeError(
      `Cannot format a classification report: 'digits' must be an integer in [0, 10], got ${digits}`,
    );
  }
  const width = Math.max("weighted avg".length, ...rows.map((r) => r.class.length));
  const cell = (s: string): string => " " + s.padStart(9);
  const num = (v: number): string => cell(v.toFixed(digits));
  const lines = [
    " ".repeat(width) + " " + ["precision", "recall", "f1-score", "support"].map(cell).join(""),
    "",
  ];
  for (const r of rows) {
    if (r.class === "accuracy") {
      lines.push("");
      lines.push(
        r.class.padStart(width) + " " + cell("") + cell("") + num(r.f1) + cell(String(r.support)),
      );
    } else {
      lines.push(
        r.class.padStart(width) + " " + num(r.precision) + num(r.recall) + num(r.f1) +
          cell(String(r.support)),
      );
    }
  }
  return lines.join("\n") + "\n";
}

/**
 * Fraction of examples whose true class is among the `k` most probable. Ties
 * count in the example's favour: the true class is within the top k when fewer
 * than k classes have a strictly higher probability.
 * @param probs One row of class probabilities per example, or all rows
 * concatenated in one Float32Array.
 * @throws {RangeError} for mismatched sizes, a label outside the classes, or
 * `k` not an integer in [1, classes].
 * @example
 * ```ts
 * import { topKAccuracy } from "./metrics.ts";
 * topKAccuracy([[0.1, 0.6, 0.3], [0.5, 0.2, 0.3]], [2, 2], 2); // 1
 * ```
 */
export function topKAccuracy(
  probs: Float32Array | readonly (readonly number[])[],
  labels: ArrayLike<number>,
  k: number,
): number {
  const n = labels.length;
  if (n === 0) {
    throw new RangeError("Cannot compute top-k accuracy: 'labels' must be non-empty, got 0 labels");
  }
  let classes: number;
  let row: (i: number) => ArrayLike<number>;
  if (probs instanceof Float32Array) {
    classes = probs.length / n;
    if (!Number.isInteger(classes) || classes < 1) {
      throw new RangeError(
        `Cannot compute top-k accuracy: 'probs' length must be a multiple of ${n} labels, got ${probs.length}`,
      );
    }
    row = (i) => probs.subarray(i * classes, (i + 1) * classes);
  } else {
    classes = probs[0]?.length ?? 0;
    if (probs.length !== n || probs.some((p) => p.length !== classes) || classes < 1) {
      throw new RangeError(
        `Cannot compute top-k accuracy: 'probs' must be ${n} rows of equal non-zero length, got ${probs.length} rows`,
      );
    }
    row = (i) => probs[i];
  }
  if (!Number.isInteger(k) || k < 1 || k > classes) {
    throw new RangeError(
      `Cannot compute top-k accuracy: 'k' must be an integer in [1, ${classes}], got ${k}`,
    );
  }
  checkLabels("labels", labels, classes);
  let hits = 0;
  for (let i = 0; i < n; i++) {
    const p = row(i), truth = p[labels[i]];
    let higher = 0;
    for (let c = 0; c < classes; c++) if (p[c] > truth) higher++;
    if (higher < k) hits++;
  }
  return hits / n;
}
