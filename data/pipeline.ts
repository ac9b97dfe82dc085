/**
 * The input pipeline: a seeded shuffle per epoch, batching, normalisation to
 * [-1, 1], one-hot labels, and prefetch of the next batch's host arrays.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { setImmediate } from "node:timers";
import type { Batch } from "../core/batch.ts";
import { checkImageSet, type ImageSet } from "./image_set.ts";
import { Rng } from "../core/rng.ts";

/** Options of {@linkcode BatchPipeline}. */
export interface PipelineOptions {
  /** Images per batch. */
  readonly batchSize: number;
  /** Shuffle the images each epoch (seeded); otherwise keep their order. */
  readonly shuffle: boolean;
  /** Seed of the shuffle; the order of epoch k depends on (seed, k) only. */
  readonly seed: number;
  /** Drop the last batch when it is smaller than `batchSize`. @default false */
  readonly dropRemainder?: boolean;
  /** Batches prepared ahead on the host while the consumer works. @default 1 */
  readonly prefetch?: number;
}

/** Options of {@linkcode BatchPipeline.epoch}. */
export interface EpochOptions {
  /** Skip the first `startStep` batches (already trained before a resume). @default 0 */
  readonly startStep?: number;
}

/** Host arrays of one batch, before they become tensors. */
export interface HostBatch {
  /** Normalised pixels, NHWC. */
  readonly xs: Float32Array;
  /** One-hot labels. */
  readonly ys: Float32Array;
  /** Images in the batch. */
  readonly size: number;
}

/** How a pixel byte `x` becomes a model input: `(x/255 − mean)/std`, per channel alike. */
export interface InputNormalization {
  /** Subtracted after scaling to [0, 1]. */
  readonly mean: number;
  /** Divides after the mean is subtracted. */
  readonly std: number;
}

/**
 * The normalisation every skiplab model is trained with, to [-1, 1]: the one
 * definition that training, prediction and exports' metadata use.
 */
export const INPUT_NORMALIZATION: InputNormalization = { mean: 0.5, std: 0.5 };

/** Pixel byte → normalised value. */
const NORMALISE = Float32Array.from(
  { length: 256 },
  (_, v) => (v / 255 - INPUT_NORMALIZATION.mean) / INPUT_NORMALIZATION.std,
);

/**
 * Pixel bytes normalised exactly as the pipeline feeds them to a model.
 *
 * @example
 * ```ts
 * import { normalizePixels } from "./pipeline.ts";
 * console.log(normalizePixels(new Uint8Array([0, 255]))); // Float32Array(2) [ -1, 1 ]
 * ```
 */
export function normalizePixels(pixels: Uint8Array): Float32Array {
  const out = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) out[i] = NORMALISE[pixels[i]];
  return out;
}

/** One 256-entry table per channel: the set's own normalisation, or the unit map. */
function normaliseTables(set: ImageSet): Float32Array[] {
  const n = set.normalization;
  return Array.from(
    { length: set.shape[2] },
    (_, c) =>
      n === undefined
        ? NORMALISE
        : Float32Array.from({ length: 256 }, (_, v) => (v / 255 - n.mean[c]) / n.std[c]),
  );
}

/**
 * Serves an {@linkcode ImageSet} as batches of tensors on the current tfjs
 * backend. The consumer disposes each batch.
 *
 * @example Two epochs of a tiny set
 * ```ts
 * import { BatchPipeline } from "./pipeline.ts";
 * import { syntheticDataset } from "./synthetic.ts";
 * const { train } = syntheticDataset({ train: 20, val: 0, test: 0 });
 * const pipeline = new BatchPipeline(train, { batchSize: 8, shuffle: true, seed: 1 });
 * for await (const { xs, ys } of pipeline.epoch(0)) {
 *   xs.dispose();
 *   ys.dispose();
 * }
 * ```
 */
export class BatchPipeline {
  readonly #set: ImageSet;
  readonly #batchSize: number;
  readonly #shuffle: boolean;
  readonly #seed: number;
  readonly #dropRemainder: boolean;
  readonly #prefetch: number;
  readonly #tables: Float32Array[];

  /**
   * Makes a pipeline that batches `set` as `options` say.
   * @throws {RangeError} for a batch size or prefetch that is not a positive
   *   (prefetch: non-negative) integer, a non-integer seed, or an inconsistent set.
   */
  constructor(set: ImageSet, options: PipelineOptions) {
    checkImageSet(set, "pipeline input");
    const { batchSize, seed, prefetch = 1 } = options;
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new RangeError(
        `Invalid BatchPipeline option 'batchSize': must be an integer >= 1, got ${batchSize}`,
      );
    }
    if (!Number.isInteger(seed)) {
      throw new RangeError(`Invalid BatchPipeline option 'seed': must be an integer, got ${seed}`);
    }
    if (!Number.isInteger(prefetch) || prefetch < 0) {
      throw new RangeError(
        `Invalid BatchPipeline option 'prefetch': must be an integer >= 0, got ${prefetch}`,
      );
    }
    this.#set = set;
    this.#batchSize = batchSize;
    this.#shuffle = options.shuffle;
    this.#seed = seed;
    this.#dropRemainder = options.dropRemainder ?? false;
    this.#prefetch = prefetch;
    this.#tables = normaliseTables(set);
  }

  /** Batches in one epoch. */
  get batchesPerEpoch(): number {
    const n = this.#set.count / this.#batchSize;
    return this.#dropRemainder ? Math.floor(n) : Math.ceil(n);
  }

  /** The image order of an epoch: a pure function of (seed, epoch). */
  order(epoch: number): Int32Array {
    const order = Int32Array.from({ length: this.#set.count }, (_, i) => i);
    if (this.#shuffle) new Rng((this.#seed >>> 0) + epoch * 2 ** 32).shuffle(order);
    return order;
  }

  /** Host arrays of batch `step` of an epoch in the given order. */
  hostBatch(order: Int32Array, step: number): HostBatch {
    const set = this.#set, classes = set.classNames.length;
    const pixels = set.shape[0] * set.shape[1] * set.shape[2];
    const start = step * this.#batchSize;
    const size = Math.min(this.#batchSize, set.count - start);
    const xs = new Float32Array(size * pixels), ys = new Float32Array(size * classes);
    for (let i = 0; i < size; i++) {
      const image = order[start + i];
      const src = set.images.subarray(image * pixels, (image + 1) * pixels);
      if (set.normalization === undefined) {
        for (let p = 0, at = i * pixels; p < pixels; p++) xs[at + p] = NORMALISE[src[p]];
      } else {
        const t = this.#tables, c = set.shape[2];
        for (let p = 0, at = i * pixels; p < pixels; p++) xs[at + p] = t[p % c][src[p]];
      }
      ys[i * classes + set.labels[image]] = 1;
    }
    return { xs, ys, size };
  }

  /**
   * The batches of `epoch` (zero-based), from `startStep` on.
   *
   * @throws {RangeError} for a negative or fractional epoch or startStep.
   */
  async *epoch(epoch: number, options: EpochOptions = {}): AsyncIterableIterator<Batch> {
    const { startStep = 0 } = options;
    if (!Number.isInteger(epoch) || epoch < 0) {
      throw new RangeError(`Invalid epoch: must be an integer >= 0, got ${epoch}`);
    }
    if (!Number.isInteger(startStep) || startStep < 0) {
      throw new RangeError(`Invalid startStep: must be an integer >= 0, got ${startStep}`);
    }
    const order = this.order(epoch), steps = this.batchesPerEpoch;
    const [h, w, c] = this.#set.shape, classes = this.#set.classNames.length;
    // Prepared in a macrotask, so the work runs while the consumer awaits its
    // backend; setImmediate, unlike setTimeout, adds no clamped delay.
    const prepare = (step: number) =>
      new Promise<HostBatch>((done) => setImmediate(() => done(this.hostBatch(order, step))));
    const queue: Promise<HostBatch>[] = [];
    let next = startStep;
    for (; next < Math.min(steps, startStep + this.#prefetch); next++) queue.push(prepare(next));
    for (let step = startStep; step < steps; step++) {
      const host = queue.length > 0 ? await queue.shift()! : this.hostBatch(order, step);
      if (next < steps && this.#prefetch > 0) queue.push(prepare(next++));
      yield {
        xs: tf.tensor4d(host.xs, [host.size, h, w, c]),
        ys: tf.tensor2d(host.ys, [host.size, classes]),
      };
    }
  }
}
