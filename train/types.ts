/**
 * The types that the trainer shares with plugins: batches, metrics and the
 * contexts handed to each hook. A plugin changes a run only through these.
 * @module
 */
import type { LayersModel, Tensor } from "../core/tf_types.ts";
import type { Rng } from "../core/rng.ts";
import type { Batch } from "../core/batch.ts";

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

/** The step-end event: metrics of one finished training step; plain numbers. */
export interface StepMetrics {
  /** Zero-based epoch. */
  readonly epoch: number;
  /** Zero-based index of the step just finished within the epoch. */
  readonly step: number;
  /** Steps per epoch. */
  readonly steps: number;
  /** Images in this step's batch. */
  readonly images: number;
  /** Mean cross-entropy of this step's batch. */
  readonly batchLoss: number;
  /** Accuracy on this step's batch, in [0, 1]. */
  readonly batchAcc: number;
  /** Wall-clock seconds of this step. */
  readonly stepSeconds: number;
  /** Mean training loss of the epoch so far. */
  readonly loss: number;
  /** Training accuracy of the epoch so far, in [0, 1]. */
  readonly acc: number;
  /** Seconds spent in this epoch's training steps so far. */
  readonly seconds: number;
  /** Training throughput of the epoch so far, in images per second. */
  readonly imagesPerSec: number;
  /** Learning rate this step was taken with. */
  readonly lr: number;
}

/** Where a run stands: the epoch and step a resumed run would continue with. */
export interface RunPosition {
  /** Zero-based epoch. */
  readonly epoch: number;
  /** Steps of that epoch already done (0 at an epoch boundary). */
  readonly step: number;
}

/** The stop event: why the loop ended, and where. */
export interface RunStop extends RunPosition {
  /** "completed", a plugin's reason, "interrupted", or what went wrong (a NaN loss). */
  readonly reason: string;
  /** Whether the run was aborted (Ctrl-C) before its end; no test evaluation follows. */
  readonly interrupted: boolean;
}

/** The run-end event: everything a run produced, after the test evaluation. */
export interface RunEnd {
  /** The stop event that ended the loop. */
  readonly stop: RunStop;
  /** Metrics of every finished epoch, in order (resumed epochs included). */
  readonly history: readonly EpochMetrics[];
  /** Tables recorded by plugins (`gradients`, `timing`, …). */
  readonly tables: Readonly<Record<string, readonly Row[]>>;
  /** Evaluation on the test set, when one was given and the run was not interrupted. */
  readonly test: Evaluation | undefined;
  /** When this call of `train()` started. */
  readonly startedAt: Date;
  /** When the loop and the test evaluation ended. */
  readonly endedAt: Date;
}

/** Gradients of one step by trainable weight, borrowed: never keep or dispose. */
export interface NamedGradient {
  /** Layer that owns the weight, e.g. `stage2_block1_conv1`. */
  readonly layer: string;
  /** Weight name within the layer, e.g. `kernel`, `bias`, `gamma`. */
  readonly weight: string;
  /**
   * The layer's depth on the main path (stem, block convolutions, classifier;
   * input first, 0-based), the same layer at each depth in a residual network
   * and its no-skip ablation; a shortcut or batch norm takes the depth of the
   * main-path layer it belongs to (models/depth_axis.ts).
   */
  readonly depth: number;
  /** `main`, or `shortcut` for a layer of a projection shortcut. */
  readonly path: "main" | "shortcut";
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
  /** Where a resumed run continues; absent for a fresh run. */
  readonly resumedFrom?: RunPosition;
  /** Adds a row to the named table (`gradients`, `timing`, …), saved with the run. */
  record(table: string, row: Row): void;
  /** Sends a line to the run's log: every plugin's `onLog` hook (the progress printer prints it). */
  log(message: string): void;
}

/** Where a checkpoint may be asked for: `best` or `last`. */
export type CheckpointSlot = "best" | "last";

/** Context of the stop event, where a plugin may still ask for a checkpoint. */
export interface StopContext extends RunContext {
  /**
   * Asks for `checkpoints/<slot>` of the run as it stands now (the stop
   * position). Written once every `onStop` hook has run, then logged as
   * saved; nothing is written for a run without a directory.
   */
  checkpoint(slot: CheckpointSlot): void;
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

/**
 * Context of the validation event: an epoch's last step is done and its
 * validation comes next. What a hook leaves in the model is what the
 * validation, the epoch-end callbacks and the checkpoints see.
 */
export interface ValidationContext extends RunContext {
  /** Zero-based epoch about to be validated. */
  readonly epoch: number;
  /**
   * The model as trained so far (borrowed). A hook may change its
   * non-trainable state (the batch-norm moving statistics), never its
   * trainable weights, and must not keep or dispose it.
   */
  readonly model: LayersModel;
  /** Images per training batch. */
  readonly batchSize: number;
  /**
   * The first `count` batches of the training split in its stored order: no
   * shuffle, no augmentation, no draw from the run's random streams (so the
   * same batches every epoch and after a resume). Fewer when the split is
   * shorter; the caller disposes each batch.
   * @throws {RangeError} when `count` is not an integer >= 1.
   */
  trainingBatches(count: number): AsyncIterableIterator<Batch>;
  /**
   * Evaluates the validation split with the model as it stands, exactly as
   * the trainer's own validation does; it changes nothing.
   */
  evaluate(): Promise<Evaluation>;
}

/** Context at the end of an epoch, where callbacks steer the run. */
export interface EpochContext extends RunContext {
  /** Zero-based epoch that just finished. */
  readonly epoch: number;
  /** The current learning rate. */
  readonly learningRate: number;
  /** Metrics of the epochs finished so far, this one included (borrowed; do not change). */
  history(): readonly EpochMetrics[];
  /** Every table recorded so far (borrowed; do not change). */
  tables(): Readonly<Record<string, readonly Row[]>>;
  /** Sets the learning rate from the next step on. */
  setLearningRate(lr: number): void;
  /** Asks the trainer to stop after this epoch; the reason is logged and saved. */
  requestStop(reason: string): void;
  /** Snapshot of the model weights (copies owned by the caller's plugin store). */
  saveWeights(slot: string): void;
  /** Restores a snapshot taken by {@linkcode EpochContext.saveWeights}. */
  restoreWeights(slot: string): void;
  /**
   * Asks for `checkpoints/<slot>` at the end of this epoch. Written once every
   * plugin's `onEpochEnd` has run, so the plugin states saved with it agree
   * (`best` is logged once it is on disk); nothing is written for a run
   * without a directory. Only what some plugin asks for is written: no
   * `last` is implied.
   */
  checkpoint(slot: CheckpointSlot): void;
}

/** Loss, accuracy and predictions of a model on a set. */
export interface Evaluation {
  /** Mean cross-entropy over the set (from the logits, as in training). */
  readonly loss: number;
  /** Fraction of images classified correctly, in [0, 1]. */
  readonly acc: number;
  /** Arg-max prediction per image, in set order. */
  readonly predicted: Int32Array;
  /** Probability of the arg-max prediction per image, in set order. */
  readonly confidence: Float32Array;
  /** Counts of (actual, predicted) class pairs: row = actual class, column = predicted class. */
  readonly confusion: number[][];
  /** Probability of every class per image, row-major [count, classes] (only with `probabilities: true`). */
  readonly probabilities?: Float32Array;
}
