/**
 * The in-memory form of an image dataset: uint8 pixels (NHWC) and labels,
 * kept compact so that all of CIFAR-10 adds under 250 MB to a process.
 * @module
 */

/** A set of images with one integer label each. */
export interface ImageSet {
  /** Pixels, NHWC uint8: `count * height * width * channels` bytes. */
  readonly images: Uint8Array;
  /** One class index per image, in `[0, classNames.length)`. */
  readonly labels: Uint8Array;
  /** Number of images. */
  readonly count: number;
  /** `[height, width, channels]` of one image. */
  readonly shape: readonly [number, number, number];
  /** Name of each class, indexed by label. */
  readonly classNames: readonly string[];
  /**
   * Per-channel standardisation the pipeline applies, `(x/255 − mean)/std`;
   * without it, pixels map to [-1, 1] as `(x/255 − 0.5)/0.5`.
   */
  readonly normalization?: ChannelNormalization;
}

/** Per-channel mean and standard deviation, on the scale x/255 (data/channel_stats.ts). */
export interface ChannelNormalization {
  /** Mean of each channel. */
  readonly mean: readonly number[];
  /** Standard deviation of each channel (> 0). */
  readonly std: readonly number[];
}

/** The three splits a run trains, validates and tests on. */
export interface Splits {
  /** Images the model trains on. */
  readonly train: ImageSet;
  /** Images held out of training for model selection and callbacks. */
  readonly val: ImageSet;
  /** Images reported once at the end. */
  readonly test: ImageSet;
}

/**
 * Checks that a set's arrays agree with its count and shape.
 *
 * @throws {RangeError} naming `name` and the rule that fails.
 * @example
 * ```ts
 * import { checkImageSet } from "./image_set.ts";
 * checkImageSet({
 *   images: new Uint8Array(12), labels: new Uint8Array([0, 1]), count: 2,
 *   shape: [2, 1, 3], classNames: ["a", "b"],
 * }, "tiny");
 * ```
 */
export function checkImageSet(set: ImageSet, name: string): void {
  const [h, w, c] = set.shape;
  if (!Number.isInteger(set.count) || set.count < 0) {
    throw new RangeError(
      `Invalid ImageSet '${name}': count must be an integer >= 0, got ${set.count}`,
    );
  }
  if (set.images.length !== set.count * h * w * c) {
    throw new RangeError(
      `Invalid ImageSet '${name}': images must hold count*h*w*c = ${
        set.count * h * w * c
      } bytes, ` +
        `got ${set.images.length}`,
    );
  }
  if (set.labels.length !== set.count) {
    throw new RangeError(
      `Invalid ImageSet '${name}': labels must hold count = ${set.count} entries, got ${set.labels.length}`,
    );
  }
  const classes = set.classNames.length;
  for (let i = 0; i < set.count; i++) {
    if (set.labels[i] >= classes) {
      throw new RangeError(
        `Invalid ImageSet '${name}': label ${i} must be in [0, ${classes - 1}], got ${
          set.labels[i]
        }`,
      );
    }
  }
}

/**
 * The images `start..end` of a set, as views sharing its memory (no copy).
 *
 * @example
 * ```ts
 * import { sliceImageSet } from "./image_set.ts";
 * const set = {
 *   images: new Uint8Array(6), labels: new Uint8Array([0, 1]), count: 2,
 *   shape: [1, 1, 3] as const, classNames: ["a", "b"],
 * };
 * if (sliceImageSet(set, 1, 2).labels[0] !== 1) throw new Error();
 * ```
 */
export function sliceImageSet(set: ImageSet, start: number, end: number): ImageSet {
  const size = set.shape[0] * set.shape[1] * set.shape[2];
  return {
    images: set.images.subarray(start * size, end * size),
    labels: set.labels.subarray(start, end),
    count: end - start,
    shape: set.shape,
    classNames: set.classNames,
  };
}
