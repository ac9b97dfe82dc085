/**
 * The options of `train()` and what it returns, and the check of those
 * options before anything trains.
 * @module
 */
import type { LayersModel } from "../core/tf_types.ts";
import type { ImageSet } from "../data/image_set.ts";
import type { Plugin } from "./hooks.ts";
import type { Checkpoint } from "./checkpoint.ts";
import type { Evaluation } from "./evaluate.ts";
import type { OptimizerConfig } from "./optimizer.ts";
import type { ScheduleConfig } from "./schedule.ts";
import type { EpochMetrics } from "./types.ts";

/** What `train()` (train/trainer.ts) needs. */
export interface TrainOptions {
  /** A built model (after ablations). */
  readonly model: LayersModel;
  /** Training images, reshuffled every epoch. */
  readonly train: ImageSet;
  /** Validation images, evaluated after every epoch. */
  readonly val: ImageSet;
  /** Evaluated once at the end, with the best weights when a plugin saved them. */
  readonly test?: ImageSet;
  /** Total epochs to train, counting those a resumed run already did (ignored with `iterations`). */
  readonly epochs: number;
  /** Steps in all (the last epoch may be partial); sets the epochs. @default epochs × steps */
  readonly iterations?: number;
  /** Add a `curve` row (train/_curve.ts) every this many steps and after the last. @default never */
  readonly evalEvery?: number;
  /** Images per training step. */
  readonly batchSize: number;
  /** Seeds shuffling, augmentation and dropout. @default 0 */
  readonly seed?: number;
  /** Optimiser type and hyperparameters. */
  readonly optimizer: OptimizerConfig;
  /** Learning-rate schedule over epochs. @default constant */
  readonly schedule?: ScheduleConfig;
  /**
   * Plugins, whose hooks run in this order: callbacks and probes, and the
   * observers that write or print the run (see train/observers/). @default []
   */
  readonly plugins?: readonly Plugin[];
  /** Run directory, where the checkpoints plugins ask for are written. @default none: nothing is written */
  readonly runDir?: string;
  /** Name of the run, as plugins see it in their context. @default the model's name */
  readonly runName?: string;
  /** Continue from a checkpoint read by `loadCheckpoint`. */
  readonly resume?: Checkpoint;
  /** Aborting ends the run after the current step (plugins may ask for `checkpoints/last` in `onStop`). */
  readonly signal?: AbortSignal;
}

/** The outcome of `train()` (train/trainer.ts). */
export interface TrainResult {
  /** Metrics of every finished epoch, in order. */
  readonly history: EpochMetrics[];
  /** Tables recorded by plugins (`gradients`, `timing`, …). */
  readonly tables: Record<string, Record<string, number | string>[]>;
  /** Evaluation on `test`, when a test set was given. */
  readonly test?: Evaluation;
  /** Why training ended: "completed", a plugin's reason, "interrupted", a NaN loss. */
  readonly stopReason: string;
  /** Whether the run ended before its last epoch for a reason other than a plugin's stop. */
  readonly interrupted: boolean;
}

/** Refuses options `train()` cannot run with, naming the option and the rule. */
export function checkOptions(o: TrainOptions): void {
  const positive = (name: string, v: number) => {
    if (!Number.isInteger(v) || v < 1) {
      throw new RangeError(`Cannot train: '${name}' must be a positive integer, got ${v}`);
    }
  };
  positive("epochs", o.epochs);
  if (o.iterations !== undefined) positive("iterations", o.iterations);
  if (o.evalEvery !== undefined) positive("evalEvery", o.evalEvery);
  positive("batchSize", o.batchSize);
  if (o.train.count === 0) throw new RangeError("Cannot train: the training set is empty");
  if (o.val.count === 0) throw new RangeError("Cannot train: the validation set is empty");
}
