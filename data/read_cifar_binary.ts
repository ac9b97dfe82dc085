/**
 * Reads a folder in the CIFAR-10 binary layout into uint8 NHWC image sets.
 * @module
 */
import { join } from "node:path";
import type { ImageSet } from "./image_set.ts";
import {
  ARCHIVE_DIR,
  BATCH_RECORDS,
  META_FILE,
  PIXELS,
  RECORD,
  SHAPE,
  TEST_FILE,
  TRAIN_FILES,
} from "./_cifar_layout.ts";

/** All training images (before a validation split) and the test images. */
export interface CifarSets {
  /** Images of `data_batch_1..5.bin`, in file order. */
  readonly train: ImageSet;
  /** Images of `test_batch.bin`. */
  readonly test: ImageSet;
}

/**
 * Reads `data_batch_1..5.bin`, `test_batch.bin` and `batches.meta.txt` from
 * `dir` (or from its `cifar-10-batches-bin` subfolder). Each batch file holds
 * whole records (1 label byte + 3072 bytes of R, G, B planes), at most 10,000
 * of them (the official files hold exactly 10,000); training files never grow
 * from one to the next; labels index the class names.
 *
 * @throws {Deno.errors.NotFound} when a file is missing.
 * @throws {RangeError} for a file of the wrong size or a label out of range.
 * @throws {SyntaxError} for an unreadable class-names file.
 * @example
 * ```ts ignore
 * import { readCifarBinary } from "./read_cifar_binary.ts";
 * const { train, test } = await readCifarBinary("cifar-10-batches-bin");
 * ```
 */
export async function readCifarBinary(dir: string): Promise<CifarSets> {
  const root = await resolveRoot(dir);
  const classNames = await readClassNames(join(root, META_FILE));
  const trainCounts = await Promise.all(TRAIN_FILES.map((f) => recordCount(join(root, f))));
  for (let i = 1; i < trainCounts.length; i++) {
    if (trainCounts[i] > trainCounts[i - 1]) {
      throw new RangeError(
        `${join(root, TRAIN_FILES[i])}: a training batch must not hold more records than the one ` +
          `before (${TRAIN_FILES[i - 1]}: ${trainCounts[i - 1]}), got ${trainCounts[i]}`,
      );
    }
  }
  const testCount = await recordCount(join(root, TEST_FILE));
  const train = await readBatches(root, TRAIN_FILES, trainCounts, classNames);
  const test = await readBatches(root, [TEST_FILE], [testCount], classNames);
  return { train, test };
}

async function resolveRoot(dir: string): Promise<string> {
  try {
    await Deno.stat(join(dir, ARCHIVE_DIR, META_FILE));
    return join(dir, ARCHIVE_DIR);
  } catch {
    return dir;
  }
}

async function readClassNames(path: string): Promise<string[]> {
  const text = await readOrNotFound(path, () => Deno.readTextFile(path));
  const names = text.split(/\r?\n/).map((s) => s.trim()).filter((s) => s.length > 0);
  if (names.length < 2 || names.length > 256) {
    throw new SyntaxError(
      `${path}: must list 2 to 256 class names, one a line, got ${names.length}`,
    );
  }
  return names;
}

async function recordCount(path: string): Promise<number> {
  const { size } = await readOrNotFound(path, () => Deno.stat(path));
  if (size % RECORD !== 0) {
    throw new RangeError(
      `${path}: size must be a whole number of ${RECORD}-byte records (1 label + ${PIXELS} pixels), ` +
        `got ${size} bytes (truncated or corrupt)`,
    );
  }
  if (size / RECORD > BATCH_RECORDS) {
    throw new RangeError(
      `${path}: size must be at most ${BATCH_RECORDS} records (${BATCH_RECORDS * RECORD} bytes), ` +
        `got ${size} bytes`,
    );
  }
  return size / RECORD;
}

async function readBatches(
  root: string,
  files: readonly string[],
  counts: readonly number[],
  classNames: readonly string[],
): Promise<ImageSet> {
  const count = counts.reduce((a, b) => a + b, 0);
  const images = new Uint8Array(count * PIXELS);
  const labels = new Uint8Array(count);
  // One read buffer serves every file, so loading adds little beyond the set itself.
  const buffer = new Uint8Array(Math.max(...counts) * RECORD);
  let at = 0;
  for (let f = 0; f < files.length; f++) {
    const path = join(root, files[f]);
    const bytes = buffer.subarray(0, counts[f] * RECORD);
    using file = await Deno.open(path);
    for (let got = 0; got < bytes.length;) {
      const n = await file.read(bytes.subarray(got));
      if (n === null) throw new RangeError(`${path}: changed size while being read`);
      got += n;
    }
    decodeRecords(bytes, counts[f], images, labels, at, classNames.length, path);
    at += counts[f];
  }
  return { images, labels, count, shape: SHAPE, classNames };
}

/** Planar records → interleaved NHWC pixels, checking each label. */
function decodeRecords(
  bytes: Uint8Array,
  n: number,
  images: Uint8Array,
  labels: Uint8Array,
  at: number,
  classes: number,
  path: string,
): void {
  const plane = PIXELS / 3;
  for (let r = 0; r < n; r++) {
    const src = r * RECORD;
    const label = bytes[src];
    if (label >= classes) {
      throw new RangeError(
        `${path}: record ${r} must have a label in [0, ${classes - 1}], got ${label}`,
      );
    }
    labels[at + r] = label;
    let dst = (at + r) * PIXELS;
    for (let p = src + 1; p < src + 1 + plane; p++) {
      images[dst++] = bytes[p];
      images[dst++] = bytes[p + plane];
      images[dst++] = bytes[p + 2 * plane];
    }
  }
}

async function readOrNotFound<T>(path: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new Deno.errors.NotFound(
        `${path}: missing; a CIFAR-10 folder must hold ${TRAIN_FILES.join(", ")}, ${TEST_FILE} ` +
          `and ${META_FILE}`,
      );
    }
    throw e;
  }
}
