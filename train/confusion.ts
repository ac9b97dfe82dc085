/**
 * The confusion matrix of predictions against labels.
 * @module
 */

import { checkLabels } from "../core/labels.ts";

/**
 * Counts of (actual, predicted) pairs: row = actual class, column = predicted class.
 * @throws {RangeError} when the lengths differ, `classes` is not a positive integer,
 * or a label lies outside [0, classes).
 * @example
 * ```ts
 * import { confusionMatrix } from "./confusion.ts";
 * confusionMatrix([0, 1, 1], [0, 1, 0], 2); // [[1, 0], [1, 1]]
 * ```
 */
export function confusionMatrix(
  actual: ArrayLike<number>,
  predicted: ArrayLike<number>,
  classes: number,
): number[][] {
  if (!Number.isInteger(classes) || classes < 1) {
    throw new RangeError(
      `Cannot build a confusion matrix: 'classes' must be a positive integer, got ${classes}`,
    );
  }
  if (actual.length !== predicted.length) {
    throw new RangeError(
      `Cannot build a confusion matrix: 'actual' and 'predicted' must have equal lengths, got ${actual.length} and ${predicted.length}`,
    );
  }
  checkLabels("actual", actual, classes);
  checkLabels("predicted", predicted, classes);
  const cm = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < actual.length; i++) cm[actual[i]][predicted[i]]++;
  return cm;
}
