/**
 * The check that class labels are in range, shared by the metrics that take
 * them (the trainer's confusion matrix, analysis's top-k accuracy).
 * @module
 */

/**
 * Throws unless every label is an integer in [0, classes).
 * @throws {RangeError} naming `name`, the rule, the value and its index.
 * @example
 * ```ts
 * import { checkLabels } from "./labels.ts";
 * checkLabels("labels", [0, 2, 1], 3); // fine
 * ```
 */
export function checkLabels(name: string, labels: ArrayLike<number>, classes: number): void {
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i];
    if (!Number.isInteger(v) || v < 0 || v >= classes) {
      throw new RangeError(
        `Cannot score '${name}': labels must be integers in [0, ${classes}), got ${v} at index ${i}`,
      );
    }
  }
}
