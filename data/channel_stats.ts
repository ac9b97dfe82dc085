/**
 * Per-channel normalisation: each channel standardised by the mean and
 * standard deviation of the training images, as He et al. 2016 (§4.2) and
 * most CIFAR recipes do, instead of the fixed map to [-1, 1].
 * @module
 */
import type { ChannelNormalization, ImageSet, Splits } from "./image_set.ts";

/**
 * Mean and (population) standard deviation of each channel over every pixel
 * of a set, on the scale x/255.
 *
 * @throws {RangeError} for an empty set, or a channel without variation.
 * @example
 * ```ts
 * import { channelStats } from "./channel_stats.ts";
 * const set = {
 *   images: new Uint8Array([0, 51, 255, 153]), labels: new Uint8Array([0]), count: 1,
 *   shape: [2, 1, 2] as const, classNames: ["a"],
 * };
 * console.log(channelStats(set).std.map((s) => s.toFixed(2))); // [ "0.50", "0.20" ]
 * ```
 */
export function channelStats(set: ImageSet): ChannelNormalization {
  const c = set.shape[2];
  if (set.count === 0) {
    throw new RangeError("Cannot compute channel statistics: the set has no images");
  }
  const sum = new Float64Array(c), sq = new Float64Array(c);
  const px = set.images;
  for (let i = 0; i < px.length; i++) {
    const v = px[i] / 255;
    sum[i % c] += v;
    sq[i % c] += v * v;
  }
  const n = px.length / c;
  const mean = Array.from(sum, (s) => s / n);
  const std = Array.from(sq, (s, k) => Math.sqrt(Math.max(0, s / n - mean[k] ** 2)));
  const flat = std.findIndex((s) => !(s > 0));
  if (flat >= 0) {
    throw new RangeError(
      `Cannot normalise per channel: channel ${flat} has standard deviation 0 (every pixel ${
        mean[flat] * 255
      })`,
    );
  }
  return { mean, std };
}

/**
 * The splits with every one normalised by the training split's statistics
 * (validation and test never contribute, so nothing leaks from them).
 */
export function withChannelNormalization(splits: Splits): Splits {
  const normalization = channelStats(splits.train);
  return {
    train: { ...splits.train, normalization },
    val: { ...splits.val, normalization },
    test: { ...splits.test, normalization },
  };
}
