/**
 * Splitting a training set into train and validation, and trimming splits
 * for quick runs, without copying the full dataset.
 * @module
 */
import { type ImageSet, sliceImageSet } from "./image_set.ts";

/**
 * Splits off `valSize` images for validation: the last `valSize` images, or
 * with `stratified` the last images of each class in proportion to its size,
 * so each class keeps its share. Other images keep their order. Views share
 * memory with `set`; a stratified split reorders `set`'s arrays in place.
 *
 * @throws {RangeError} when `valSize` is not an integer in [0, set.count].
 * @example
 * ```ts
 * import { splitValidation } from "./split.ts";
 * const set = {
 *   images: new Uint8Array(4 * 3), labels: new Uint8Array([0, 0, 1, 1]), count: 4,
 *   shape: [1, 1, 3] as const, classNames: ["a", "b"],
 * };
 * const { val } = splitValidation(set, 2, true);
 * if (val.labels.join() !== "0,1") throw new Error();
 * ```
 */
export function splitValidation(
  set: ImageSet,
  valSize: number,
  stratified = false,
): { train: ImageSet; val: ImageSet } {
  if (!Number.isInteger(valSize) || valSize < 0 || valSize > set.count) {
    throw new RangeError(
      `Invalid valSize: must be an integer in [0, ${set.count}], got ${valSize}`,
    );
  }
  if (stratified) moveToEnd(set, stratifiedPicks(set.labels, set.classNames.length, valSize));
  const cut = set.count - valSize;
  return { train: sliceImageSet(set, 0, cut), val: sliceImageSet(set, cut, set.count) };
}

/** Marks the last images of each class, allotted by largest remainder. */
function stratifiedPicks(labels: Uint8Array, classes: number, valSize: number): Uint8Array {
  const counts = new Array<number>(classes).fill(0);
  for (const l of labels) counts[l]++;
  const exact = counts.map((c) => (c * valSize) / labels.length);
  const quota = exact.map(Math.floor);
  const order = exact.map((e, c) => [e - quota[c], c]).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let i = 0, left = valSize - quota.reduce((a, b) => a + b, 0); i < left; i++) {
    quota[order[i][1]]++;
  }
  const picked = new Uint8Array(labels.length);
  for (let i = labels.length - 1; i >= 0; i--) {
    if (quota[labels[i]] > 0) {
      quota[labels[i]]--;
      picked[i] = 1;
    }
  }
  return picked;
}

/** Stable partition in place: unpicked images first, then picked ones. */
function moveToEnd(set: ImageSet, picked: Uint8Array): void {
  const n = set.count, size = set.images.length / Math.max(n, 1);
  // dest[i]: where image i goes.
  const dest = new Int32Array(n);
  let front = 0, back = n - picked.reduce((a, b) => a + b, 0);
  for (let i = 0; i < n; i++) dest[i] = picked[i] ? back++ : front++;
  const carry = new Uint8Array(size), swap = new Uint8Array(size);
  const images = set.images as Uint8Array, labels = set.labels as Uint8Array;
  for (let start = 0; start < n; start++) {
    if (dest[start] < 0 || dest[start] === start) continue;
    // Follow the cycle start → dest[start] → … → start, carrying one image.
    carry.set(images.subarray(start * size, (start + 1) * size));
    let label = labels[start], at = start;
    do {
      const to = dest[at];
      dest[at] = -1;
      swap.set(images.subarray(to * size, (to + 1) * size));
      images.set(carry, to * size);
      carry.set(swap);
      [label, labels[to]] = [labels[to], label];
      at = to;
    } while (at !== start);
  }
}

/**
 * The first `n` images of `set` as a compact copy (so a small split does not
 * keep the full dataset alive); `set` itself when `n` is undefined or not
 * smaller than its count.
 *
 * @throws {RangeError} when `n` is not an integer >= 0.
 * @example
 * ```ts
 * import { limitImageSet } from "./split.ts";
 * const set = {
 *   images: new Uint8Array(9), labels: new Uint8Array([0, 1, 0]), count: 3,
 *   shape: [1, 1, 3] as const, classNames: ["a", "b"],
 * };
 * if (limitImageSet(set, 2, "train").count !== 2) throw new Error();
 * ```
 */
export function limitImageSet(set: ImageSet, n: number | undefined, name: string): ImageSet {
  if (n === undefined) return set;
  if (!Number.isInteger(n) || n < 0) {
    throw new RangeError(`Invalid limit for '${name}': must be an integer >= 0, got ${n}`);
  }
  if (n >= set.count) return set;
  const s = sliceImageSet(set, 0, n);
  return { ...s, images: s.images.slice(), labels: s.labels.slice() };
}
