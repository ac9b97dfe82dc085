/**
 * The types that the trainer shares with plugins: batches, metrics and the
 * contexts handed to each hook. A plugin changes a run only through these.
 * @module
 */
import type { Tensor } from "../core/tf_types.ts";
import type { Rng } from "../core/rng.ts";

export type { Batch } from "../core/batch.ts";

/** A row of numbers and strings recorded by a plugin into a named table. */
export type Row = Record<string, number | string>;

/** Metrics of one finished epoch; plain numbers, never tensors. */
export interface EpochMetrics {
  /** Zero-based epoch index. */
  readonly epoch: number;
  /** Mean training cross-entropy over the epoch's images. */
  readonly loss: number;
  /** Training accuracy over the epoch, in [0, 1]. */
  readonly acc: number;
  /** Cross-entropy on the validation set after the epoch, in inference mode. */
  readonly val_loss: number;
  /** Validation accuracy after the epoch, in [0, 1]. */
  readonly val_acc: number;
  /** Learning rate the optimiser ended the epoch with. */
  readonly lr: number;
  /** Wall-clock seconds spent in training steps (validation excluded). */
  readonly seconds: number;
  /** Any further metric a plugin or the trainer adds (images_per_sec, …). */
  readonly [key: string]: number;
}

/** Gradients of one step by trainable weight, borrowed: never keep or dispose. */
export interface NamedGradient {
  /** Layer that owns the weight, e.g. `stage2_block1_conv1`. */
  readonly layer: string;
  /** Weight name within the layer, e.g. `kernel`, `bias`, `gamma`. */
  readonly weight: string;
  /** Position of the layer among the model's trainable layers, input first (0-based). */
  readonly depth: number;
  /** The gradient tensor, same shape as the weight. */
  readonly grad: Tensor;
}

/** What every hook may do to a run. */
export interface RunContext {
  /** Name of the run (e.g. `resnet18`). */
  readonly runName: string;
  /** Directory the run writes to, or undefined for runs without output. */
  readonly runDir: string | undefined;
  /** Epochs the run will train at most. */
  readonly epochs: number;
  /** Class names of the dataset. */
  readonly classNames: readonly string[];
  /** Adds a row to the named table (`gradients`, `timing`, …), saved with the run. */
  record(table: string, row: Row): void;
  /** Writes a line to the run's log. */
  log(message: string): void;
}

/** Context of a training step. */
export interface StepContext extends RunContext {
  /** Zero-based epoch. */
  readonly epoch: number;
  /** Zero-based step within the epoch. */
  readonly step: number;
  /** Steps since the run began. */
  readonly globalStep: number;
  /** Seeded generator for this step's randomness (deterministic per run and seed). */
  readonly rng: Rng;
}

/** Context at the end of an epoch, where callbacks steer the run. */
export interface EpochContext extends RunContext {
  /** Zero-based epoch that just finished. */
  readonly epoch: number;
  /** The current learning rate. */
  readonly learningRate: number;
  /** Sets the learning rate from the next step on. */
  setLearningRate(lr: number): void;
  /** Asks the trainer to stop after this epoch; the reason is logged and saved. */
  requestStop(reason: string): void;
  /** Snapshot of the model weights (copies owned by the caller's plugin store). */
  saveWeights(slot: string): void;
  /** Restores a snapshot taken by {@linkcode EpochContext.saveWeights}. */
  restoreWeights(slot: string): void;
  /** Writes a checkpoint to `checkpoints/<slot>` in the run directory. */
  checkpoint(slot: "best" | "last"): Promise<void>;
}

/**
 * Columns of `history.csv`, one row per epoch, in order: the run-directory
 * format that the trainer writes and `analysis` reads.
 */
export const HISTORY_COLUMNS: readonly string[] = [
  "epoch",
  "loss",
  "acc",
  "val_loss",
  "val_acc",
  "lr",
  "seconds",
  "images_per_sec",
  "memory_mb",
];
