/**
 * `summary.json`: what a run was (model facts, recipe, seed, software and
 * machine) and what it achieved, in one typed document validated on read.
 * @module
 */
import { dirname, join } from "node:path";
import { z } from "zod";
import { writeFileAtomic } from "./atomic.ts";
import { epochOffset, markRunFormat } from "./format.ts";
import { RUN_FILES } from "./layout.ts";
import { readJsonFile } from "./_json.ts";

/** A number that JSON writes as null when it is NaN or infinite; read back as NaN. */
const measured = z.number().nullable().transform((v) => v ?? NaN);
const count = z.number().int().min(0);

const architectureSchema = z.strictObject({
  family: z.string().min(1),
  skip: z.boolean(),
  batch_norm: z.boolean(),
  depth: count,
  widths: z.array(z.number().int().positive()),
  dropout: z.number().min(0).max(1),
});

const environmentSchema = z.strictObject({
  skiplab: z.string().min(1),
  deno: z.string().min(1),
  tfjs: z.string().min(1),
  backend_library: z.string().nullable(),
  cpu_model: z.string().nullable(),
  cpu_threads: z.number().int().positive(),
  git_commit: z.string().nullable(),
  // Absent in summaries written before runs recorded them (fp32, unnamed).
  precision: z.enum(["fp32", "bf16"]).optional(),
  conv_implementation: z.string().nullable().optional(),
});

// The schema of summary.json; unknown keys are errors. Not exported: the public API names no zod types.
const RUN_SUMMARY_SCHEMA = z.strictObject({
  name: z.string().min(1),
  model: z.string().min(1),
  backend: z.string().min(1),
  params: count,
  trainable_params: count,
  architecture: architectureSchema,
  seed: z.number().int(),
  recipe: z.record(z.string(), z.unknown()),
  environment: environmentSchema,
  epochs_run: count,
  best_epoch: measured,
  test_acc: measured,
  test_loss: measured,
  train_minutes: z.number().min(0),
  seconds_per_epoch: measured,
  peak_memory_mb: measured,
  process_peak_rss_mb: measured,
  process_peak_increase_mb: measured,
  stopped_reason: z.string().min(1),
  class_names: z.array(z.string()),
  started_at: z.iso.datetime(),
  ended_at: z.iso.datetime(),
});

/** Facts of the trained architecture, from its spec and the built model. */
export interface ArchitectureFacts {
  /** Builder family, `plain_cnn` or `resnet`. */
  readonly family: string;
  /** Whether residual blocks add their shortcut (false for plain CNNs and no-skip ablations). */
  readonly skip: boolean;
  /** Batch normalisation after convolutions. */
  readonly batch_norm: boolean;
  /** Weight layers from input to output (convolutions and dense). */
  readonly depth: number;
  /** Filters of the stem and of each stage (ResNet) or block (plain CNN), input first. */
  readonly widths: readonly number[];
  /** Dropout rate before the classifier. */
  readonly dropout: number;
}

/** The software and machine a run ran on. */
export interface EnvironmentFacts {
  /** skiplab's version (deno.json). */
  readonly skiplab: string;
  /** Deno's version. */
  readonly deno: string;
  /** TensorFlow.js core version. */
  readonly tfjs: string;
  /** What the backend reports of its library (e.g. `oneDNN 2.6.0 …, 2 threads`), if anything. */
  readonly backend_library: string | null;
  /** CPU model name, when the system says. */
  readonly cpu_model: string | null;
  /** Hardware threads available. */
  readonly cpu_threads: number;
  /** Commit of the skiplab checkout the run came from, if run from one. */
  readonly git_commit: string | null;
  /** What the convolutions computed in (absent in older summaries: fp32). */
  readonly precision?: "fp32" | "bf16";
  /** oneDNN's convolution implementation, e.g. `jit:avx2` (null off the native backend). */
  readonly conv_implementation?: string | null;
}

/** The contents of `summary.json`. Measured numbers that were not measured are NaN. */
export interface RunSummary {
  /** Run name, e.g. `resnet18_noskip`. */
  readonly name: string;
  /** Model the experiment named, e.g. `resnet18`. */
  readonly model: string;
  /** tfjs backend that trained it. */
  readonly backend: string;
  /** All parameters (Keras-style, with batch-norm statistics). */
  readonly params: number;
  /** Trainable parameters. */
  readonly trainable_params: number;
  /** Facts of the architecture as built (after ablations). */
  readonly architecture: ArchitectureFacts;
  /** Seed of weights, shuffling, augmentation and dropout. */
  readonly seed: number;
  /** The resolved experiment (recipe), as in config.yaml. */
  readonly recipe: Readonly<Record<string, unknown>>;
  /** Software versions and machine. */
  readonly environment: EnvironmentFacts;
  /** Epochs trained (so also the number of the last). */
  readonly epochs_run: number;
  /** Epoch of the lowest validation loss, numbered from 1 (NaN without one). */
  readonly best_epoch: number;
  /** Test accuracy, a fraction. */
  readonly test_acc: number;
  /** Test loss. */
  readonly test_loss: number;
  /** Wall time of the training call that finished the run, in minutes. */
  readonly train_minutes: number;
  /** Mean seconds of training steps per epoch. */
  readonly seconds_per_epoch: number;
  /**
   * The most process memory (RSS) in MB sampled at a step end of this run,
   * from probes/timing-memory: the run's own, even in a suite, but a sample
   * between steps that misses the peak inside forward and backward.
   */
  readonly peak_memory_mb: number;
  /**
   * The process's true peak RSS in MB at the end of the run's last epoch (the kernel's
   * high-water mark: getrusage or VmHWM), from probes/timing-memory. In a
   * suite it includes the members run before in the same process. NaN where
   * the run had neither `--allow-ffi` nor `--allow-all`.
   */
  readonly process_peak_rss_mb: number;
  /**
   * How much this run raised the process's peak RSS, in MB, over its value
   * when the run started (a resumed run: when it resumed): a suite member's
   * own share of the high-water mark, 0 when an earlier member peaked
   * higher. NaN where the process peak is unavailable.
   */
  readonly process_peak_increase_mb: number;
  /** Why training stopped: `completed`, or a plugin's reason. */
  readonly stopped_reason: string;
  /** Class names, index order. */
  readonly class_names: readonly string[];
  /** ISO time the training call started. */
  readonly started_at: string;
  /** ISO time it ended. */
  readonly ended_at: string;
}

// The interface is what readers see; the schema must produce exactly it.
const _sameShape: z.output<typeof RUN_SUMMARY_SCHEMA> extends RunSummary ? true : never = true;
void _sameShape;

/** Writes `summary.json` in `dir` atomically (NaN becomes null). */
export async function writeSummary(dir: string, summary: RunSummary): Promise<void> {
  await markRunFormat(dir);
  await writeFileAtomic(join(dir, RUN_FILES.summary), JSON.stringify(summary, null, 2) + "\n");
}

/**
 * Reads and validates `summary.json` at `path`; `best_epoch` numbered from
 * 1 whatever the format of its run directory (rundir/format.ts).
 * @throws {SyntaxError} for invalid JSON, or naming the first key that is missing, unknown or mistyped.
 */
export async function readSummary(path: string): Promise<RunSummary> {
  const data = await readJsonFile(path);
  const r = RUN_SUMMARY_SCHEMA.safeParse(data);
  if (!r.success) {
    const issue = r.error.issues[0];
    const key = issue.path.map(String).join(".") || "(root)";
    let got: unknown = data;
    for (const k of issue.path) got = (got as Record<PropertyKey, unknown>)?.[k as string];
    const shown = got === undefined || (typeof got === "object" && got !== null)
      ? ""
      : `, got ${JSON.stringify(got)}`;
    throw new SyntaxError(`Cannot read '${path}': '${key}': ${issue.message}${shown}`);
  }
  const offset = await epochOffset(dirname(path));
  return offset === 0 ? r.data : { ...r.data, best_epoch: r.data.best_epoch + offset };
}
