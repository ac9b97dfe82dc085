/**
 * Writes image sets in the CIFAR-10 binary layout, so that any dataset (a
 * synthetic one in tests) goes through the same parser as the real files.
 * @module
 */
import { join } from "node:path";
import { checkImageSet, type ImageSet } from "./image_set.ts";
import {
  BATCH_RECORDS,
  META_FILE,
  PIXELS,
  RECORD,
  TEST_FILE,
  TRAIN_FILES,
} from "./_cifar_layout.ts";

/** Sets to write: `train` then `val` fill the training batches, `test` the test batch. */
export interface CifarWritable {
  /** Training images, written first. */
  readonly train: ImageSet;
  /** Validation images, written after `train`, so that `valSize: val.count` splits them back. */
  readonly val?: ImageSet;
  /** Test images. */
  readonly test: ImageSet;
}

/**
 * Writes `data_batch_1..5.bin`, `test_batch.bin` and `batches.meta.txt` into
 * `dir` (created if missing). Training images are spread over the five batch
 * files, the first files holding ⌈n/5⌉ each. Loading the folder with
 * `loadCifar10({ source: dir, valSize: sets.val.count })` returns the same sets.
 *
 * @throws {RangeError} when a set is not 32×32×3, the sets disagree on class
 *   names, or a file would exceed 10,000 images.
 * @example
 * ```ts
 * import { syntheticDataset } from "./synthetic.ts";
 * import { writeCifarBinary } from "./write_cifar_binary.ts";
 * const dir = await Deno.makeTempDir();
 * await writeCifarBinary(syntheticDataset({ train: 50, val: 10, test: 20 }), dir);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function writeCifarBinary(sets: CifarWritable, dir: string): Promise<void> {
  const parts = sets.val ? [sets.train, sets.val] : [sets.train];
  for (
    const [name, set] of [["train", sets.train], ["val", sets.val], ["test", sets.test]] as const
  ) {
    if (!set) continue;
    checkImageSet(set, name);
    if (set.shape.join("x") !== "32x32x3") {
      throw new RangeError(
        `Cannot write CIFAR binary: ${name} images must be 32x32x3, got ${set.shape.join("x")}`,
      );
    }
    if (set.classNames.join("\n") !== sets.train.classNames.join("\n")) {
      throw new RangeError(
        `Cannot write CIFAR binary: ${name} class names must equal train's, got ${set.classNames}`,
      );
    }
  }
  const trainCount = parts.reduce((a, s) => a + s.count, 0);
  const perFile = Math.ceil(trainCount / TRAIN_FILES.length);
  if (perFile > BATCH_RECORDS || sets.test.count > BATCH_RECORDS) {
    throw new RangeError(
      `Cannot write CIFAR binary: at most ${
        BATCH_RECORDS * 5
      } training and ${BATCH_RECORDS} test ` +
        `images fit, got ${trainCount} and ${sets.test.count}`,
    );
  }
  await Deno.mkdir(dir, { recursive: true });
  const records = function* (): Generator<[ImageSet, number]> {
    for (const set of parts) for (let i = 0; i < set.count; i++) yield [set, i];
  }();
  for (let f = 0; f < TRAIN_FILES.length; f++) {
    const n = Math.max(0, Math.min(perFile, trainCount - f * perFile));
    const out = new Uint8Array(n * RECORD);
    for (let r = 0; r < n; r++) {
      const [set, i] = records.next().value as [ImageSet, number];
      encodeRecord(set, i, out, r * RECORD);
    }
    await Deno.writeFile(join(dir, TRAIN_FILES[f]), out);
  }
  const test = new Uint8Array(sets.test.count * RECORD);
  for (let i = 0; i < sets.test.count; i++) encodeRecord(sets.test, i, test, i * RECORD);
  await Deno.writeFile(join(dir, TEST_FILE), test);
  await Deno.writeTextFile(join(dir, META_FILE), sets.train.classNames.join("\n") + "\n\n");
}

/** Interleaved NHWC pixels → one planar record. */
function encodeRecord(set: ImageSet, i: number, out: Uint8Array, at: number): void {
  const plane = PIXELS / 3;
  out[at] = set.labels[i];
  let src = i * PIXELS;
  for (let p = at + 1; p < at + 1 + plane; p++) {
    out[p] = set.images[src++];
    out[p + plane] = set.images[src++];
    out[p + 2 * plane] = set.images[src++];
  }
}
