/**
 * The schema of an experiment file (after `extends:` is merged): strict, so an
 * unknown key is an error, with defaults for what a file leaves out. Checks
 * that need the registries (model names, plugin options) are in
 * experiment_checks.ts.
 * @module
 */
import { z } from "zod";

const pluginEntry: z.ZodType<PluginSection> = z.strictObject({
  name: z.string().min(1).optional(),
  path: z.string().min(1).optional(),
  options: z.record(z.string(), z.unknown()).default({}),
}).refine((p) => (p.name === undefined) !== (p.path === undefined), {
  message: "a plugin entry needs exactly one of 'name' or 'path'",
});

const experimentShape = z.strictObject({
  name: z.string().min(1).regex(/^[\w.-]+$/, "letters, digits, '_', '-', '.' only"),
  model: z.string().min(1),
  model_options: z.strictObject({
    width: z.number().positive().optional(),
    dropout: z.number().min(0).lt(1).optional(),
    // A residual net's shortcut where stride or width change (models/spec.ts).
    shortcut: z.enum(["projection", "zero_pad"]).optional(),
  }).default({}),
  // `auto` times the backends that load here on this model and caches the choice
  // (experiment/backend_choice.ts); `auto:remeasure` times them again.
  backend: z.enum(["auto", "auto:remeasure", "native", "tensorflow", "webgpu", "wasm", "cpu"])
    .default("auto"),
  // What convolutions compute in (backends/precision.ts). fp32 by default, so that a
  // recipe gives the same numbers on every machine; auto takes bf16 only on AMX CPUs
  // (native/memory/precision.ts says why), bf16 wherever it can run.
  precision: z.enum(["fp32", "bf16", "auto"]).default("fp32"),
  data: z.strictObject({
    source: z.string().min(1).default("cifar10"),
    checksum: z.string().regex(/^[0-9a-f]{32}$/, "an md5 hex digest").optional(),
    val_size: z.int().min(1).default(5000),
    stratified: z.boolean().default(false),
    limit: z.int().min(1).nullable().default(null),
    // `unit`: (x/255 − 0.5)/0.5; `per-channel`: each channel standardised by the
    // training split's own mean and standard deviation (He et al. 2016, §4.2).
    normalize: z.enum(["unit", "per-channel"]).default("unit"),
  }).prefault({}),
  seed: z.int().min(0).default(0),
  // Initialisers and batch-norm momentum/epsilon as each framework defines
  // them (layers/init.ts); "he" is skiplab's original choice.
  init: z.enum(["keras", "pytorch", "he"]).default("he"),
  epochs: z.int().min(1).max(10000).default(30),
  // Recipes counted in iterations (He et al.: 64,000) set this; it replaces `epochs`.
  iterations: z.int().min(1).nullable().default(null),
  // Evaluate on the validation set every N iterations too (curve.csv).
  eval_every: z.int().min(1).nullable().default(null),
  // A row of steps.csv every N steps; null: enough that an epoch gives at least 50 rows.
  log_every: z.int().min(1).nullable().default(null),
  // Scales `iterations`, `eval_every` and multistep milestones, for short runs of a recipe.
  budget: z.number().positive().max(1).default(1),
  batch_size: z.int().min(1).max(65536).default(64),
  optimizer: z.discriminatedUnion("type", [
    z.strictObject({
      type: z.literal("adam"),
      lr: z.number().positive().default(1e-3),
      beta1: z.number().min(0).lt(1).default(0.9),
      beta2: z.number().min(0).lt(1).default(0.999),
      epsilon: z.number().positive().default(1e-7),
      weight_decay: z.number().min(0).default(0),
    }),
    z.strictObject({
      type: z.literal("sgd"),
      lr: z.number().positive().default(0.1),
      momentum: z.number().min(0).lt(1).default(0.9),
      nesterov: z.boolean().default(false),
      weight_decay: z.number().min(0).default(5e-4),
    }),
  ]).default({ type: "adam", lr: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, weight_decay: 0 }),
  schedule: z.discriminatedUnion("type", [
    z.strictObject({ type: z.literal("constant") }),
    z.strictObject({ type: z.literal("cosine"), min_factor: z.number().min(0).max(1).default(0) }),
    z.strictObject({
      type: z.literal("step"),
      every: z.int().min(1),
      gamma: z.number().positive().default(0.1),
    }),
    z.strictObject({
      type: z.literal("multistep"),
      milestones: z.array(z.int().min(1)).min(1).refine(
        (m) => m.every((v, i) => i === 0 || v > m[i - 1]),
        "milestones must be strictly increasing iteration counts",
      ),
      gamma: z.number().positive().default(0.1),
      // A constant rate for the first iterations (He et al.'s ResNet-110 warm-up).
      warmup: z.strictObject({ iterations: z.int().min(1), lr: z.number().positive() })
        .optional(),
    }),
    z.strictObject({
      type: z.literal("one-cycle"),
      peak_factor: z.number().min(1).default(10),
      warmup: z.number().gt(0).lt(1).default(0.3),
    }),
  ]).default({ type: "constant" }),
  plugins: z.array(pluginEntry).default([]),
  out: z.string().min(1).default("runs"),
});

/** The schema of an experiment file (after `extends` is merged); it parses to an {@linkcode Experiment}. */
export const ExperimentSchema: z.ZodType<Experiment> = experimentShape;

/** True exactly when A and B are the same type, not merely assignable one way. */
type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true
  : false;
// The written-out Experiment below must be exactly what the schema parses to: `deno check`
// fails here (false is not assignable to true) when a key is added to one and not the other.
const exact: Equals<z.output<typeof experimentShape>, Experiment> = true;
void exact;

/** One entry of `plugins:`: a registered plugin by name, or a plugin file by path, with its options. */
export interface PluginSection {
  /** A registered plugin, e.g. `callbacks/early-stopping`. */
  name?: string;
  /** A plugin file (resolved against the file naming it). */
  path?: string;
  /** Options, checked by the plugin's own schema. */
  options: Record<string, unknown>;
}

/** The optimiser: Adam (the paper's) or SGD with momentum (He et al.'s). */
export type OptimizerSection =
  | {
    type: "adam";
    lr: number;
    beta1: number;
    beta2: number;
    epsilon: number;
    weight_decay: number;
  }
  | { type: "sgd"; lr: number; momentum: number; nesterov: boolean; weight_decay: number };

/** The learning-rate schedule over the run. */
export type ScheduleSection =
  | { type: "constant" }
  | { type: "cosine"; min_factor: number }
  | { type: "step"; every: number; gamma: number }
  | {
    type: "multistep";
    milestones: number[];
    gamma: number;
    warmup?: { iterations: number; lr: number };
  }
  | { type: "one-cycle"; peak_factor: number; warmup: number };

/**
 * A validated experiment: every key of an experiment file, defaults filled
 * in. Written out rather than inferred from the schema so that it documents
 * itself; `deno check` fails (the `exact` check above) if the two ever differ. A
 * type rather than an interface, so that it is a `Record<string, unknown>` too.
 */
export type Experiment = {
  /** The run's name: letters, digits, `_`, `-`, `.`. */
  name: string;
  /** A registered architecture (`deno task models`). */
  model: string;
  /** Changes to the architecture: filter width scale, dropout, shortcut kind. */
  model_options: { width?: number; dropout?: number; shortcut?: "projection" | "zero_pad" };
  /** The tfjs backend; `auto` measures which is fastest (`auto:remeasure`: ignoring the cache). */
  backend: "auto" | "auto:remeasure" | "native" | "tensorflow" | "webgpu" | "wasm" | "cpu";
  /** What convolutions compute in. */
  precision: "fp32" | "bf16" | "auto";
  /** The data: source, checksum, validation split, limit, normalisation. */
  data: {
    source: string;
    checksum?: string;
    val_size: number;
    stratified: boolean;
    limit: number | null;
    normalize: "unit" | "per-channel";
  };
  /** The seed of every random draw. */
  seed: number;
  /** Initialisers and batch-norm settings as each framework defines them. */
  init: "keras" | "pytorch" | "he";
  /** Epochs to train (unless `iterations` is set). */
  epochs: number;
  /** A recipe counted in iterations, replacing `epochs`. */
  iterations: number | null;
  /** Validation every N iterations too (curve.csv). */
  eval_every: number | null;
  /** A row of steps.csv every N steps (null: at least 50 rows per epoch). */
  log_every: number | null;
  /** A fraction of an iteration recipe. */
  budget: number;
  /** Images per step. */
  batch_size: number;
  /** The optimiser and its settings. */
  optimizer: OptimizerSection;
  /** The learning-rate schedule. */
  schedule: ScheduleSection;
  /** Plugins, in order. */
  plugins: PluginSection[];
  /** The folder run directories are made in. */
  out: string;
};
