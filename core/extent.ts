/**
 * The largest and smallest of many numbers. `Math.max(...xs)` passes every
 * element as an argument and overflows the call stack past about 100,000 of
 * them (a history.csv of 130,000 rows did), so readers of run files use these.
 * @module
 */

/**
 * The largest of `xs` (`-Infinity` for none, as `Math.max()`; NaN if any is NaN).
 * @example
 * ```ts
 * import { maxOf } from "./extent.ts";
 * maxOf([1, 3, 2]); // 3
 * ```
 */
export function maxOf(xs: Iterable<number>): number {
  let m = -Infinity;
  for (const x of xs) {
    if (Number.isNaN(x)) return NaN;
    if (x > m) m = x;
  }
  return m;
}

/**
 * The smallest of `xs` (`Infinity` for none, as `Math.min()`; NaN if any is NaN).
 * @example
 * ```ts
 * import { minOf } from "./extent.ts";
 * minOf([1, 3, 2]); // 1
 * ```
 */
export function minOf(xs: Iterable<number>): number {
  let m = Infinity;
  for (const x of xs) {
    if (Number.isNaN(x)) return NaN;
    if (x < m) m = x;
  }
  return m;
}
