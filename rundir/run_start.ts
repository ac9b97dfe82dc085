/**
 * `run_start.json`: what a run is, written the moment it starts (and again
 * once its first steps are timed, with the estimate), so a viewer shows the
 * backend, the model as built, its size and the run's length from the first
 * second instead of waiting for summary.json at the end.
 * @module
 */
import { join } from "node:path";
import { z } from "zod";
import { writeFileAtomic } from "./atomic.ts";
import { markRunFormat } from "./format.ts";
import { RUN_FILES } from "./layout.ts";
import { readJsonFile } from "./_json.ts";

/** The run's time estimate, once its first steps are timed (train/observers/run_estimate.ts). */
export interface RunStartEstimate {
  /** Seconds the whole run is expected to take (what was left of it, for a resumed run). */
  readonly seconds: number;
  /** Training images per second measured. */
  readonly images_per_sec: number;
  /** The line the run printed, e.g. "estimate: about 9 h 40 min for 30 epochs …". */
  readonly text: string;
  /** ISO time the estimate was made. */
  readonly at: string;
}

/** The contents of `run_start.json`. */
export interface RunStart {
  /** ISO time the training process started (this process: a resume writes a new one). */
  readonly started_at: string;
  /** The experiment's name. */
  readonly name: string;
  /** The registered model the experiment names. */
  readonly model: string;
  /** The model as built, ablations applied (e.g. `resnet18_noskip`). */
  readonly model_built: string;
  /** The backend the run trains on. */
  readonly backend: string;
  /** Parameters of the model as built. */
  readonly params: number;
  /** Trainable parameters. */
  readonly trainable_params: number;
  /** Layers with weights on the main path. */
  readonly depth: number;
  /** The architecture's family (`resnet`, `plain`, …). */
  readonly family: string;
  /** Whether the model has skip connections. */
  readonly skip: boolean;
  /** The run's seed. */
  readonly seed: number;
  /** Epochs the run trains at most. */
  readonly epochs: number;
  /** Training steps per epoch. */
  readonly steps_per_epoch: number;
  /** Training steps of the whole run. */
  readonly total_steps: number;
  /** Images per step. */
  readonly batch_size: number;
  /** Steps per row of steps.csv. */
  readonly log_every: number;
  /** The estimate, once measured; null before. */
  readonly estimate: RunStartEstimate | null;
}

const count = z.number().int().min(0);
const RUN_START_SCHEMA = z.strictObject({
  started_at: z.iso.datetime(),
  name: z.string().min(1),
  model: z.string().min(1),
  model_built: z.string().min(1),
  backend: z.string().min(1),
  params: count,
  trainable_params: count,
  depth: count,
  family: z.string().min(1),
  skip: z.boolean(),
  seed: z.number().int(),
  epochs: z.number().int().min(1),
  steps_per_epoch: z.number().int().min(1),
  total_steps: z.number().int().min(1),
  batch_size: z.number().int().min(1),
  log_every: z.number().int().min(1),
  estimate: z.strictObject({
    seconds: z.number().min(0),
    images_per_sec: z.number().positive(),
    text: z.string(),
    at: z.iso.datetime(),
  }).nullable(),
});

/** Writes `run_start.json` in `dir`, atomically. */
export async function writeRunStart(dir: string, start: RunStart): Promise<void> {
  await markRunFormat(dir);
  await writeFileAtomic(join(dir, RUN_FILES.start), JSON.stringify(start, null, 2) + "\n");
}

/**
 * Reads `run_start.json`.
 * @throws {Deno.errors.NotFound} when there is none (a run of an older writer).
 * @throws {SyntaxError} naming the file and the first problem.
 */
export async function readRunStart(path: string): Promise<RunStart> {
  const r = RUN_START_SCHEMA.safeParse(await readJsonFile(path));
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new SyntaxError(
      `Cannot read '${path}': '${issue.path.join(".") || "(root)"}': ${issue.message}`,
    );
  }
  return r.data;
}
