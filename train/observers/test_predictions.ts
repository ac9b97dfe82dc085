/**
 * The observer that writes a finished run's test predictions
 * (predictions.csv) and the pixels of the test images it got most
 * confidently wrong (wrong_images.json).
 * @module
 */
import type { ImageSet } from "../../data/image_set.ts";
import {
  bytesToBase64,
  writePredictions,
  writeWrongImages,
  type WrongImage,
} from "../../rundir/mod.ts";
import type { Plugin } from "../hooks.ts";

/** Indices of the `n` wrong predictions with the highest confidence, most confident first. */
export function mostConfidentlyWrong(
  labels: ArrayLike<number>,
  predicted: ArrayLike<number>,
  confidence: ArrayLike<number>,
  n: number,
): number[] {
  const wrong: number[] = [];
  for (let i = 0; i < labels.length; i++) if (labels[i] !== predicted[i]) wrong.push(i);
  return wrong.sort((a, b) => confidence[b] - confidence[a] || a - b).slice(0, n);
}

/**
 * At the end of a run whose test set was evaluated, writes `predictions.csv`
 * and `wrong_images.json` (the `top` most confidently wrong images of `test`)
 * into `dir`.
 *
 * @example
 * ```ts ignore
 * await train({ ...options, plugins: [...plugins, testPredictions(dir, splits.test)] });
 * ```
 */
export function testPredictions(dir: string, test: ImageSet, top = 16): Plugin {
  return {
    name: "observers/test-predictions",
    async onRunEnd(end) {
      if (end.stop.interrupted || !end.test) return;
      const { predicted, confidence } = end.test;
      await writePredictions(dir, { labels: test.labels, predicted, confidence });
      const [h, w, c] = test.shape, size = h * w * c;
      const images: WrongImage[] = mostConfidentlyWrong(test.labels, predicted, confidence, top)
        .map((i) => ({
          index: i,
          label: test.labels[i],
          predicted: predicted[i],
          confidence: Number(confidence[i].toPrecision(6)),
          pixels: bytesToBase64(test.images.subarray(i * size, (i + 1) * size)),
        }));
      await writeWrongImages(dir, { shape: test.shape, class_names: test.classNames, images });
    },
  };
}
