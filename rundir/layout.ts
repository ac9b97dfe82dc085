/**
 * The names and columns of a run directory (`runs/<time>-<name>/`) and of a
 * suite directory: the one definition both writers and readers use.
 * @module
 */
import { join } from "node:path";

/** File and folder names of a run directory, relative to it. */
export const RUN_FILES = {
  /** The resolved experiment, YAML. */
  config: "config.yaml",
  /** One row per epoch, columns {@linkcode HISTORY_COLUMNS}. */
  history: "history.csv",
  /** Per-layer gradient norms (probes/gradient-norms), columns {@linkcode GRADIENT_COLUMNS}. */
  gradients: "gradients.csv",
  /** Test-set confusion matrix: `actual`, then one column per predicted class. */
  confusion: "confusion.csv",
  /** Per-class report, columns {@linkcode CLASS_COLUMNS}. */
  classes: "classes.csv",
  /** The run's {@linkcode RunSummary}, JSON. */
  summary: "summary.json",
  /** The rendered report, Markdown. */
  report: "report.md",
  /** SVG figures of the report. */
  figures: "figures",
  /** Checkpoint slots `best` and `last`. */
  checkpoints: "checkpoints",
  /** One row per test image, columns {@linkcode PREDICTION_COLUMNS}, written at run end. */
  predictions: "predictions.csv",
  /** The test images predicted most confidently wrong, with their pixels, JSON, written at run end. */
  wrongImages: "wrong_images.json",
  /** The training process's heartbeat, JSON, rewritten every few seconds while it runs. */
  heartbeat: "heartbeat.json",
  /** The directory's format version, JSON (rundir/format.ts); absent in format 1. */
  format: "format.json",
  /** One row every few training steps, columns {@linkcode STEP_COLUMNS} (rundir/steps.ts). */
  steps: "steps.csv",
  /** What the run is, written when it starts: backend, model, sizes, estimate (rundir/run_start.ts). */
  start: "run_start.json",
} as const;

/** A file or folder of a run directory, by its key in {@linkcode RUN_FILES}. */
export type RunFile = keyof typeof RUN_FILES;

/**
 * Path of `file` inside the run directory `runDir`: the one way code outside
 * rundir/ names a run's files (a test forbids spelling them elsewhere).
 *
 * @example
 * ```ts
 * import { runPath } from "./layout.ts";
 * runPath("runs/x", "summary"); // "runs/x/summary.json"
 * ```
 */
export function runPath(runDir: string, file: RunFile): string {
  return join(runDir, RUN_FILES[file]);
}

/** File names of a suite directory (besides one run directory per member). */
export const SUITE_FILES = {
  /** The suite's members and overrides, JSON. */
  suite: "suite.json",
  /** Table I, raw numbers. */
  table: "table.csv",
  /** Table I, formatted Markdown. */
  tableMarkdown: "table.md",
  /** The suite's report, Markdown. */
  report: "report.md",
  /** SVG figures of the suite's report. */
  figures: "figures",
} as const;

/** Columns of `history.csv`, in order: one row per finished epoch, `epoch` numbered from 1. */
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

/**
 * Columns of `steps.csv`, in order: one row every `log_every` training steps
 * and at each epoch's last step. `step` counts the run's steps done (from 1),
 * `epoch` is the epoch the row's last step belongs to (from 1), `loss` and
 * `acc` are means over the steps since the previous row, `lr` the rate of
 * the row's last step; `images_per_sec` and `elapsed_s` (seconds since the
 * run began, validation included, carried over a resume) are wall-clock
 * measures and the only columns a resumed run does not reproduce exactly.
 */
export const STEP_COLUMNS: readonly string[] = [
  "step",
  "epoch",
  "loss",
  "acc",
  "lr",
  "images_per_sec",
  "elapsed_s",
];

/** The columns of {@linkcode STEP_COLUMNS} measured by the clock (a resume does not reproduce them). */
export const STEP_CLOCK_COLUMNS: readonly string[] = ["images_per_sec", "elapsed_s"];

/**
 * Columns of `gradients.csv` (probes/gradient-norms): `point` is `init` (the
 * first batch, before any update), `epoch` (an average over an epoch, `step`
 * -1, or over a window ending at `step`) or `final` (one batch with the
 * final weights); `epoch` is numbered from 1 (`init` rows: 1, the epoch
 * the first batch begins); `path` is `main` or `shortcut` (a projection shortcut);
 * `depth` is the layer's place on the main path, input first, 0-based — the
 * same layer at the same depth in resnet18 and resnet18_noskip.
 */
export const GRADIENT_COLUMNS: readonly string[] = [
  "point",
  "epoch",
  "step",
  "layer",
  "path",
  "depth",
  "norm",
];

/** Text columns of `gradients.csv`; the others are numbers. */
export const GRADIENT_TEXT_COLUMNS: readonly string[] = ["point", "layer", "path"];

/** Columns of `classes.csv`: one row per class, then accuracy, macro and weighted averages. */
export const CLASS_COLUMNS: readonly string[] = ["class", "precision", "recall", "f1", "support"];

/** Columns of `predictions.csv`: test-set index, true class, predicted class, its probability. */
export const PREDICTION_COLUMNS: readonly string[] = ["index", "label", "predicted", "confidence"];

/** File name of a table a plugin records (`gradients` → `gradients.csv`). */
export function tableFile(table: string): string {
  if (!/^[\w.-]+$/.test(table) || table.startsWith(".")) {
    throw new RangeError(
      `Cannot name a table file: a table name must be letters, digits, '_', '-' or '.', got '${table}'`,
    );
  }
  return `${table}.csv`;
}

/** The checkpoint slots of a run directory, under `checkpoints/`. */
export const CHECKPOINT_SLOTS: readonly ("best" | "last")[] = ["best", "last"];

/** Path of a checkpoint slot inside a run directory. */
export function checkpointDir(runDir: string, slot: "best" | "last"): string {
  return join(runDir, RUN_FILES.checkpoints, slot);
}
