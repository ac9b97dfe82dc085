/**
 * The run-estimate observer: after a run's first timed steps, one log line
 * with what the whole run will cost, so a person knows before paying it.
 * @module
 */
import { describeEstimate, estimateSeconds, EVAL_SPEEDUP, type RunWork } from "../estimate.ts";
import type { Plugin } from "../hooks.ts";
import type { RunPosition } from "../types.ts";

/** Options of {@linkcode runEstimate}: the facts of the run the trainer's events do not carry. */
export interface RunEstimateOptions {
  /** The backend the run trains on, named in the line. */
  readonly backend: string;
  /** Images of the training split. */
  readonly trainImages: number;
  /** Images of the validation split. */
  readonly valImages: number;
  /** Images of the test split. @default 0 */
  readonly testImages?: number;
  /** Steps in all, for a recipe counted in iterations. */
  readonly iterations?: number;
  /** Steps between curve points (each one more validation pass). */
  readonly evalEvery?: number;
  /** Early stopping may end the run sooner: say "up to". @default false */
  readonly upTo?: boolean;
  /** Steps not timed at first (kernels compile, buffers are allocated). @default 2 */
  readonly warmupSteps?: number;
  /** Steps timed after the warm-up before the line is printed. @default 5 */
  readonly measureSteps?: number;
  /** Evaluation images per second, per training image per second. @default EVAL_SPEEDUP */
  readonly evalSpeedup?: number;
  /** Told the estimate as it is logged (the run-start file keeps it for viewers). */
  readonly onEstimate?: (estimate: MeasuredEstimate) => void | Promise<void>;
}

/** What {@linkcode RunEstimateOptions.onEstimate} is told. */
export interface MeasuredEstimate {
  /** Seconds of the run's work ahead. */
  readonly seconds: number;
  /** Training images per second measured. */
  readonly imagesPerSec: number;
  /** The line logged. */
  readonly text: string;
}

/**
 * Logs one line (`ctx.log`, so the progress printer prints it) with the
 * whole run's estimate, from the training rate of the steps after the
 * warm-up: "estimate: about 9 h 40 min for 30 epochs at 39 img/s on native,
 * validation included". Printed after `measureSteps` timed steps, or at the
 * end of the first epoch when it is shorter (from every step when it has no
 * step after the warm-up). A resumed run estimates what is left.
 *
 * @example
 * ```ts ignore
 * const plugins = [trainingProgress(), runEstimate({ backend: "native",
 *   trainImages: 45000, valImages: 5000, testImages: 10000, upTo: true })];
 * await train({ ...options, plugins });
 * ```
 */
export function runEstimate(options: RunEstimateOptions): Plugin {
  const warmup = options.warmupSteps ?? 2, measure = options.measureSteps ?? 5;
  for (const [k, v] of [["warmupSteps", warmup], ["measureSteps", measure]] as const) {
    if (!Number.isInteger(v) || v < (k === "warmupSteps" ? 0 : 1)) {
      throw new RangeError(
        `runEstimate: '${k}' must be an integer >= ${k === "warmupSteps" ? 0 : 1}, got ${v}`,
      );
    }
  }
  let done: RunPosition | undefined, said = false, seen = 0;
  const all = { images: 0, seconds: 0 }, timed = { images: 0, seconds: 0, steps: 0 };
  let batchSize = 0;
  return {
    name: "observers/run-estimate",
    setup(ctx) {
      done = ctx.resumedFrom;
    },
    onStepEnd(m, ctx) {
      if (said) return;
      seen++;
      batchSize = Math.max(batchSize, m.images);
      all.images += m.images;
      all.seconds += m.stepSeconds;
      if (seen > warmup) {
        timed.images += m.images;
        timed.seconds += m.stepSeconds;
        timed.steps++;
      }
      const last = m.step + 1 === m.steps || ctx.globalStep + 1 === options.iterations;
      if (timed.steps < measure && !last) return;
      said = true;
      const window = timed.steps > 0 ? timed : all;
      const train = window.images / window.seconds;
      // A clock too coarse for the steps gives no rate worth printing.
      if (!(train > 0 && Number.isFinite(train))) return;
      const work: RunWork = {
        trainImages: options.trainImages,
        batchSize,
        epochs: ctx.epochs,
        iterations: options.iterations,
        evalEvery: options.evalEvery,
        valImages: options.valImages,
        testImages: options.testImages,
        upTo: options.upTo,
        done,
      };
      const rate = { train, eval: train * (options.evalSpeedup ?? EVAL_SPEEDUP) };
      const text = describeEstimate(work, rate, options.backend);
      ctx.log(text);
      void options.onEstimate?.({
        seconds: estimateSeconds(work, rate),
        imagesPerSec: train,
        text,
      });
    },
  };
}
