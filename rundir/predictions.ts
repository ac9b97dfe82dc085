/**
 * `predictions.csv` (every test image's true and predicted class with the
 * predicted probability) and `wrong_images.json` (the pixels of the test
 * images predicted most confidently wrong), so that a dashboard or a shared
 * report can show the model's worst mistakes without the dataset.
 * @module
 */
import { join } from "node:path";
import { z } from "zod";
import { writeFileAtomic } from "./atomic.ts";
import { parseCsv, readCsvText, toCsv } from "./csv.ts";
import { PREDICTION_COLUMNS, RUN_FILES } from "./layout.ts";
import { readJsonFile } from "./_json.ts";

/** A run's test predictions, in test-set order. */
export interface Predictions {
  /** True class per image. */
  readonly labels: ArrayLike<number>;
  /** Predicted (arg-max) class per image. */
  readonly predicted: ArrayLike<number>;
  /** Probability the model gave its prediction, per image, in [0, 1]. */
  readonly confidence: ArrayLike<number>;
}

/** One wrongly predicted test image with its pixels. */
export interface WrongImage {
  /** Index in the test set. */
  readonly index: number;
  /** True class. */
  readonly label: number;
  /** Predicted class. */
  readonly predicted: number;
  /** Probability of the predicted class. */
  readonly confidence: number;
  /** Pixels, HWC uint8 (the shape is {@linkcode WrongImages.shape}), base64. */
  readonly pixels: string;
}

/** The contents of `wrong_images.json`. */
export interface WrongImages {
  /** `[height, width, channels]` of every image. */
  readonly shape: readonly [number, number, number];
  /** Class names, index order. */
  readonly class_names: readonly string[];
  /** The images, most confident first. */
  readonly images: readonly WrongImage[];
}

const WRONG_SCHEMA = z.strictObject({
  shape: z.tuple([z.number().int().positive(), z.number().int().positive(), z.number().int()]),
  class_names: z.array(z.string()),
  images: z.array(z.strictObject({
    index: z.number().int().min(0),
    label: z.number().int().min(0),
    predicted: z.number().int().min(0),
    confidence: z.number().min(0).max(1),
    pixels: z.string(),
  })),
});

/** Writes `predictions.csv` in `dir` (columns {@linkcode PREDICTION_COLUMNS}). */
export async function writePredictions(dir: string, p: Predictions): Promise<void> {
  const rows = Array.from({ length: p.labels.length }, (_, i) => ({
    index: i,
    label: p.labels[i],
    predicted: p.predicted[i],
    confidence: Number(p.confidence[i].toPrecision(6)),
  }));
  await writeFileAtomic(join(dir, RUN_FILES.predictions), toCsv(rows, PREDICTION_COLUMNS));
}

/**
 * Reads `predictions.csv`.
 * @throws {SyntaxError} naming the file when a column is missing or a cell is not a number.
 */
export async function readPredictions(path: string): Promise<Predictions> {
  const { header, rows } = parseCsv(await readCsvText(path), path);
  const at = PREDICTION_COLUMNS.map((c) => header.indexOf(c));
  if (at.some((i) => i < 0)) {
    throw new SyntaxError(
      `Cannot read '${path}': the header must hold ${PREDICTION_COLUMNS.join(",")}, got '${
        header.join(",")
      }'`,
    );
  }
  const labels = new Int32Array(rows.length), predicted = new Int32Array(rows.length);
  const confidence = new Float32Array(rows.length);
  rows.forEach((cells, r) => {
    const [, l, p, c] = at.map((i) => Number(cells[i]));
    if (![l, p, c].every(Number.isFinite)) {
      throw new SyntaxError(`Cannot read '${path}': line ${r + 2} must hold numbers`);
    }
    (labels[r] = l, predicted[r] = p, confidence[r] = c);
  });
  return { labels, predicted, confidence };
}

/** Writes `wrong_images.json` in `dir`. */
export async function writeWrongImages(dir: string, wrong: WrongImages): Promise<void> {
  await writeFileAtomic(join(dir, RUN_FILES.wrongImages), JSON.stringify(wrong, null, 2) + "\n");
}

/**
 * Reads and validates `wrong_images.json`; each image's pixels must hold
 * height × width × channels bytes.
 * @throws {SyntaxError} naming the file and the first problem.
 */
export async function readWrongImages(path: string): Promise<WrongImages> {
  const r = WRONG_SCHEMA.safeParse(await readJsonFile(path));
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new SyntaxError(
      `Cannot read '${path}': '${issue.path.join(".") || "(root)"}': ${issue.message}`,
    );
  }
  const [h, w, c] = r.data.shape;
  const bad = r.data.images.find((im) => im.pixels.length !== 4 * Math.ceil((h * w * c) / 3));
  if (bad) {
    throw new SyntaxError(
      `Cannot read '${path}': image ${bad.index} must hold ${h}x${w}x${c} bytes of pixels`,
    );
  }
  return r.data;
}

/** Base64 of bytes (the pixel encoding of {@linkcode WrongImage.pixels}). */
export function bytesToBase64(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(s);
}
