/**
 * What a run will cost, from its size and a measured throughput: the
 * arithmetic (training images, validation and test passes) and the words a
 * person reads ("about 9 h 40 min for 30 epochs at 39 img/s on native").
 * The run-estimate observer and the suite and sweep totals share it.
 * @module
 */
import type { RunPosition } from "./types.ts";

/** The size of one run, as the trainer will run it. */
export interface RunWork {
  /** Images of the training split (one epoch). */
  readonly trainImages: number;
  /** Images per training step. */
  readonly batchSize: number;
  /** Epochs the run trains at most (ignored with `iterations`). */
  readonly epochs: number;
  /** Steps in all, for a recipe counted in iterations. */
  readonly iterations?: number;
  /** A curve point (one more validation pass) every this many steps, and after the last. */
  readonly evalEvery?: number;
  /** Images of the validation split, evaluated after every epoch. */
  readonly valImages: number;
  /** Images of the test split, evaluated once at the end. @default 0 */
  readonly testImages?: number;
  /** Whether a callback may stop it early (early stopping): the estimate is then an upper bound. */
  readonly upTo?: boolean;
  /** Where a resumed run continues: the work before it is not counted. */
  readonly done?: RunPosition;
}

/** Images per second a run trains and evaluates at. */
export interface Throughput {
  /** Training images per second (forward, gradients and update). */
  readonly train: number;
  /** Images per second of a validation or test pass (forward only, in inference mode). */
  readonly eval: number;
}

/**
 * How much faster a validation pass runs than training, per image, when only
 * the training rate is known: it runs the forward pass alone, about a third
 * of a training step's work (forward, then gradients of the activations and
 * of the weights). Measured here near 3 (native, baseline_cnn and resnet18).
 */
export const EVAL_SPEEDUP = 3;

/** What a run's work comes to: steps, training images and evaluated images, from `done` on. */
export function workAhead(
  w: RunWork,
): { steps: number; totalSteps: number; trainImages: number; evalImages: number } {
  const perEpoch = Math.ceil(w.trainImages / w.batchSize);
  const totalSteps = w.iterations ?? w.epochs * perEpoch;
  const epochs = Math.ceil(totalSteps / perEpoch);
  // Images trained by the end of global step s: whole epochs, then full batches.
  const imagesAt = (s: number) =>
    Math.floor(s / perEpoch) * w.trainImages +
    Math.min(w.trainImages, (s % perEpoch) * w.batchSize);
  const passesAt = (s: number) =>
    Math.floor(s / perEpoch) + (w.evalEvery ? Math.floor(s / w.evalEvery) : 0);
  const start = w.done ? Math.min(totalSteps, w.done.epoch * perEpoch + w.done.step) : 0;
  // The last epoch and the last curve point may be partial; each still validates once.
  const passes = epochs + (w.evalEvery ? Math.ceil(totalSteps / w.evalEvery) : 0);
  return {
    steps: totalSteps - start,
    totalSteps,
    trainImages: imagesAt(totalSteps) - imagesAt(start),
    evalImages: (passes - passesAt(start)) * w.valImages + (w.testImages ?? 0),
  };
}

/**
 * Seconds the run's remaining work takes at `rate`: training images at the
 * training rate, then every validation pass and the test pass at the
 * evaluation rate.
 * @throws {RangeError} when a rate is not a positive number.
 */
export function estimateSeconds(w: RunWork, rate: Throughput): number {
  for (const [k, v] of Object.entries(rate)) {
    if (!(v > 0) || !Number.isFinite(v)) {
      throw new RangeError(`Cannot estimate a run: the ${k} rate must be positive, got ${v}`);
    }
  }
  const ahead = workAhead(w);
  return ahead.trainImages / rate.train + ahead.evalImages / rate.eval;
}

/**
 * A duration as a person says it: "about 40 s", "about 3 min", "about 9 h
 * 40 min", "about 2 d 5 h", rounded to what such an estimate can claim.
 *
 * @example
 * ```ts
 * import { formatDuration } from "./estimate.ts";
 * console.log(formatDuration(9 * 3600 + 38 * 60)); // "about 9 h 40 min"
 * ```
 */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) {
    throw new RangeError(`Cannot format a duration: expected seconds >= 0, got ${seconds}`);
  }
  const round = (x: number, unit: number) => Math.round(x / unit) * unit;
  if (round(seconds, seconds < 10 ? 1 : 10) < 60) {
    return `about ${Math.max(1, round(seconds, seconds < 10 ? 1 : 10))} s`;
  }
  const minutes = round(seconds / 60, seconds < 3600 ? 1 : seconds < 36000 ? 5 : 10);
  if (minutes < 60) return `about ${minutes} min`;
  if (minutes < 48 * 60) {
    const [h, m] = [Math.floor(minutes / 60), minutes % 60];
    return m === 0 ? `about ${h} h` : `about ${h} h ${m} min`;
  }
  const hours = Math.round(minutes / 60);
  const [d, h] = [Math.floor(hours / 24), hours % 24];
  return h === 0 ? `about ${d} d` : `about ${d} d ${h} h`;
}

/** Images per second as printed: whole numbers from 10 up, one decimal below. */
export function formatRate(imagesPerSecond: number): string {
  return imagesPerSecond >= 10
    ? Math.round(imagesPerSecond).toLocaleString("en")
    : imagesPerSecond.toFixed(1);
}

/**
 * The one line a run prints about its cost: "estimate: about 9 h 40 min for
 * 30 epochs at 39 img/s on native, validation included"; "up to" when early
 * stopping may end it sooner; "the remaining 18 of 30 epochs" when resumed;
 * iterations for a recipe counted in them.
 *
 * @example
 * ```ts
 * import { describeEstimate } from "./estimate.ts";
 * const work = { trainImages: 45000, batchSize: 64, epochs: 30, valImages: 5000, upTo: true };
 * describeEstimate(work, { train: 39, eval: 117 }, "native");
 * // "estimate: up to about 10 h for 30 epochs at 39 img/s on native, validation included"
 * ```
 */
export function describeEstimate(w: RunWork, rate: Throughput, backend: string): string {
  const ahead = workAhead(w);
  const perEpoch = Math.ceil(w.trainImages / w.batchSize);
  const [left, all, unit] = w.iterations !== undefined
    ? [ahead.steps, ahead.totalSteps, "iterations"]
    : [Math.ceil(ahead.steps / perEpoch), w.epochs, "epochs"];
  const count = (n: number) => n.toLocaleString("en");
  const what = w.done && left < all
    ? `the remaining ${count(left)} of ${count(all)} ${unit}`
    : `${count(all)} ${all === 1 ? unit.slice(0, -1) : unit}`;
  return `estimate: ${w.upTo ? "up to " : ""}${formatDuration(estimateSeconds(w, rate))} ` +
    `for ${what} at ${formatRate(rate.train)} img/s on ${backend}, validation included`;
}
