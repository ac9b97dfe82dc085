import type { LayersModel } from "../core/tf_types.ts";
import {
  checkpointDir,
  type HistoryRow,
  readConfig,
  readRunFiles,
  type RunSummary,
} from "../rundir/mod.ts";
import { loadCheckpointModel } from "../train/checkpoint.ts";
import type { TrainState } from "../train/checkpoint.ts";

/** Options of {@linkcode loadRun}. */
export interface LoadRunOptions {
  /** Which checkpoint's weights: the lowest validation loss, or the last epoch. @default "best" */
  readonly checkpoint?: "best" | "last";
}

/** A trained run, loaded for use. */
export interface LoadedRun {
  /** The run directory. */
  readonly dir: string;
  /** The checkpoint slot the model comes from. */
  readonly checkpoint: "best" | "last";
  /** The trained model (the caller disposes it). */
  readonly model: LayersModel;
  /** Training state when the checkpoint was saved (epoch, history, counters). */
  readonly state: TrainState;
  /** summary.json, once the run has finished (undefined for an interrupted run). */
  readonly summary: RunSummary | undefined;
  /** history.csv: one row per finished epoch. */
  readonly history: readonly HistoryRow[];
  /**
   * config.yaml: the resolved experiment it was trained with, as plain data
   * (undefined for a run that `train()` wrote without the task runner).
   */
  readonly config: Readonly<Record<string, unknown>> | undefined;
  /**
   * Name of each output class: summary.json's, else `class 0`, `class 1`, …
   * (a run interrupted before its summary was written).
   */
  readonly classNames: readonly string[];
  /** `[height, width, channels]` the model takes. */
  readonly inputShape: readonly [number, number, number];
}

/**
 * Loads a run directory written by `deno task train` (or `runExperiment`):
 * the model of one of its checkpoints, its summary, history and resolved
 * config. Needs only Deno's file API (no tfjs-node).
 *
 * @example Train a tiny model into a run directory, then load it back
 * ```ts
 * import { buildModel, loadRun, resnetSpec, syntheticDataset, train } from "@skiplab/skiplab";
 * import { modelCheckpoint } from "@skiplab/skiplab/plugins";
 * import { runTables } from "@skiplab/skiplab/train";
 * const data = syntheticDataset({ seed: 1, train: 32, val: 16, test: 0 });
 * const dir = await Deno.makeTempDir();
 * const model = buildModel(resnetSpec({ name: "tiny", layers: [1], width: 4 }), { seed: 1 });
 * await train({
 *   model, train: data.train, val: data.val, epochs: 1, batchSize: 16,
 *   optimizer: { type: "adam", lr: 1e-3 }, runDir: dir,
 *   plugins: [modelCheckpoint.create(modelCheckpoint.schema.parse({})), runTables(dir)],
 * });
 * model.dispose();
 * const run = await loadRun(dir, { checkpoint: "last" });
 * console.log(run.history.length, run.inputShape); // 1 [ 32, 32, 3 ]
 * run.model.dispose();
 * await Deno.remove(dir, { recursive: true });
 * ```
 * @throws {Deno.errors.NotFound} when `dir` is not a run directory or lacks the checkpoint.
 * @throws {CheckpointError} naming the file and field of a damaged checkpoint.
 */
export async function loadRun(dir: string, options: LoadRunOptions = {}): Promise<LoadedRun> {
  const slot = options.checkpoint ?? "best";
  if (slot !== "best" && slot !== "last") {
    throw new RangeError(`Invalid checkpoint: must be 'best' or 'last', got '${slot}'`);
  }
  const files = await readRunFiles(dir);
  const config = await readConfig(dir).catch((e: unknown) => {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  });
  const ckpt = checkpointDir(dir, slot);
  const has = (p: string) => Deno.stat(p).then(() => true, () => false);
  if (!(await has(ckpt))) {
    // A recipe may keep only `last` (he-cifar.yaml tests its final weights).
    const other = slot === "best" && await has(checkpointDir(dir, "last"));
    throw new Deno.errors.NotFound(
      `Cannot load run '${dir}': it has no checkpoints/${slot} ` +
        (other
          ? "(its recipe saves no best weights); its checkpoints/last holds the final ones"
          : "(it stopped before saving one)"),
    );
  }
  const { model, state } = await loadCheckpointModel(ckpt);
  const [, h, w, c] = model.inputs[0].shape as number[];
  const classes = (model.outputs[0].shape as number[]).at(-1) ?? 0;
  const names = files.summary?.class_names;
  return {
    dir,
    checkpoint: slot,
    model,
    state,
    summary: files.summary,
    history: files.history,
    config,
    classNames: names?.length === classes
      ? names
      : Array.from({ length: classes }, (_, i) => `class ${i}`),
    inputShape: [h, w, c],
  };
}
