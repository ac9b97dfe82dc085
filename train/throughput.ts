/**
 * A model's training and evaluation throughput, measured before any run
 * trains it: a few real training steps and one validation pass on random
 * images, through the trainer itself, so what is timed is what a run does.
 * Suites and sweeps estimate their total from it.
 * @module
 */
import type { LayersModel } from "../core/tf_types.ts";
import { Rng } from "../core/rng.ts";
import type { ImageSet } from "../data/image_set.ts";
import type { Throughput } from "./estimate.ts";
import type { Plugin } from "./hooks.ts";
import type { OptimizerConfig } from "./optimizer.ts";
import { train } from "./trainer.ts";

/** Options of {@linkcode measureThroughput}. */
export interface ThroughputOptions {
  /** Images per training step, as the run will use. */
  readonly batchSize: number;
  /** The run's optimiser (its update is part of a step). */
  readonly optimizer: OptimizerConfig;
  /** Steps not timed at first (kernels compile, buffers are allocated). @default 1 */
  readonly warmupSteps?: number;
  /** Training steps timed after the warm-up; the rate is their median. @default 4 */
  readonly steps?: number;
  /**
   * Images of the timed validation pass (the trainer validates 256 at a time);
   * 0 skips it, and the eval rate is then NaN. @default 256
   */
  readonly evalImages?: number;
  /**
   * Stop early, with {@linkcode ThroughputMeasurement.cut} saying why, once
   * the steps have taken longer than this or run slower than this: how a
   * choice among backends stays within seconds. @default no limit
   */
  readonly limit?: ThroughputLimit;
  /**
   * The run's plugins, fresh (augmentation and probes cost time every step);
   * no run directory is given, so nothing is written. @default []
   */
  readonly plugins?: readonly Plugin[];
}

/** When {@linkcode measureThroughput} gives up on a measurement. */
export interface ThroughputLimit {
  /** Wall-clock seconds the training steps (the warm-up included) may take. */
  readonly seconds: number;
  /** Images/s below which the timed steps stop: far slower than something already measured. */
  readonly minRate?: number;
}

/** A measured {@linkcode Throughput}, and whether it was cut short. */
export interface ThroughputMeasurement extends Throughput {
  /**
   * Set when a {@linkcode ThroughputLimit} stopped it, saying which; `train`
   * is then the rate of the steps that did run (the warm-up step's alone when
   * nothing else ran, compilation included: a lower bound) and `eval` is NaN.
   */
  readonly cut?: string;
}

function randomSet(count: number, shape: readonly [number, number, number], classes: number) {
  const rng = new Rng(count);
  const images = new Uint8Array(count * shape[0] * shape[1] * shape[2]);
  for (let i = 0; i < images.length; i++) images[i] = rng.nextUint32() & 255;
  const labels = Uint8Array.from({ length: count }, (_, i) => i % classes);
  const classNames = Array.from({ length: classes }, (_, i) => `class${i}`);
  return { images, labels, count, shape, classNames } satisfies ImageSet;
}

/**
 * Trains `model` for `warmupSteps + steps` steps on random images of its
 * input shape, with the run's `plugins`, and takes the median rate of the
 * steps after the warm-up; then evaluates `evalImages` random images once
 * untimed (the warm-up of inference) and times the trainer's own validation
 * pass. The model's weights change: give
 * it a model built for the purpose, and dispose it after.
 *
 * @throws {RangeError} when the model's input is not [height, width, channels]
 *   or a count is not a positive integer.
 * @example
 * ```ts ignore
 * const model = buildModel(resolveSpec("resnet18"));
 * const rate = await measureThroughput(model, { batchSize: 64, optimizer: { type: "adam", lr: 1e-3 } });
 * model.dispose();
 * ```
 */
export async function measureThroughput(
  model: LayersModel,
  options: ThroughputOptions,
): Promise<ThroughputMeasurement> {
  const { batchSize, warmupSteps = 1, steps = 4, evalImages = 256, limit } = options;
  for (
    const [k, v, min] of [["warmupSteps", warmupSteps, 0], ["steps", steps, 1], [
      "evalImages",
      evalImages,
      0,
    ]] as const
  ) {
    if (!Number.isInteger(v) || v < min) {
      throw new RangeError(`measureThroughput: '${k}' must be an integer >= ${min}, got ${v}`);
    }
  }
  const [, h, w, c] = model.inputs[0].shape;
  const classes = model.outputs[0].shape.at(-1);
  if (![h, w, c, classes].every((n) => typeof n === "number" && n > 0)) {
    throw new RangeError(
      `measureThroughput: the model's input must be [batch, height, width, channels] and its ` +
        `output [batch, classes], got ${JSON.stringify(model.inputs[0].shape)} → ` +
        JSON.stringify(model.outputs[0].shape),
    );
  }
  const shape = [h, w, c] as [number, number, number];
  const iterations = warmupSteps + steps;
  // Aborting before an epoch's last step skips the validation pass; with nothing to evaluate,
  // one batch more than is trained lets the last timed step stop the run that way.
  const spare = evalImages === 0 ? 1 : 0;
  const perStep: number[] = [];
  let evalStart = 0, evalSeconds = 0, cut: string | undefined, firstRate = 0;
  const stop = new AbortController();
  const started = performance.now();
  await train({
    model,
    train: randomSet(batchSize * (iterations + spare), shape, classes as number),
    val: randomSet(Math.max(evalImages, 1), shape, classes as number),
    epochs: 1,
    iterations: iterations + spare,
    batchSize,
    optimizer: options.optimizer,
    signal: stop.signal,
    plugins: [...(options.plugins ?? []), {
      name: "measure/throughput",
      onStepEnd(m, ctx) {
        const step = ctx.globalStep + 1;
        if (step <= warmupSteps) firstRate ||= m.images / m.stepSeconds;
        else perStep.push(m.images / m.stepSeconds);
        if (step >= iterations) {
          if (spare) stop.abort();
          return;
        }
        if (limit === undefined) return;
        const seconds = (performance.now() - started) / 1000;
        if (seconds > limit.seconds) {
          cut = `${step} of ${iterations} steps took ${
            seconds.toFixed(1)
          } s, over ${limit.seconds} s`;
        } else if (
          limit.minRate !== undefined && perStep.length && median(perStep) < limit.minRate
        ) {
          cut = `${median(perStep).toFixed(1)} images/s, under ${limit.minRate.toFixed(1)}`;
        }
        if (cut !== undefined) stop.abort();
      },
      async beforeValidation(ctx) {
        await ctx.evaluate();
        evalStart = performance.now();
      },
      onEpochEnd() {
        evalSeconds = (performance.now() - evalStart) / 1000;
      },
    }],
  });
  if (cut !== undefined) {
    return { train: perStep.length ? median(perStep) : firstRate, eval: NaN, cut };
  }
  return { train: median(perStep), eval: evalImages ? evalImages / evalSeconds : NaN };
}

// The median step: one step slowed by another process says little about the run.
function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b), mid = sorted.length / 2;
  return sorted.length % 2 ? sorted[Math.floor(mid)] : (sorted[mid - 1] + sorted[mid]) / 2;
}
