/**
 * The schema of an experiment file (after `extends:` is merged): strict, so an
 * unknown key is an error, with defaults for what a file leaves out. Checks
 * that need the registries (model names, plugin options) are in
 * experiment_checks.ts.
 * @module
 */
import { z } from "zod";

const pluginEntry = z.strictObject({
  name: z.string().min(1).optional(),
  path: z.string().min(1).optional(),
  options: z.record(z.string(), z.unknown()).default({}),
}).refine((p) => (p.name === undefined) !== (p.path === undefined), {
  message: "a plugin entry needs exactly one of 'name' or 'path'",
});

/** The schema of an experiment file (after `extends` is merged). */
export const ExperimentSchema = z.strictObject({
  name: z.string().min(1).regex(/^[\w.-]+$/, "letters, digits, '_', '-', '.' only"),
  model: z.string().min(1),
  model_options: z.strictObject({
    width: z.number().positive().optional(),
    dropout: z.number().min(0).lt(1).optional(),
    // A residual net's shortcut where stride or width change (models/spec.ts).
    shortcut: z.enum(["projection", "zero_pad"]).optional(),
  }).default({}),
  backend: z.enum(["auto", "native", "tensorflow", "webgpu", "wasm", "cpu"]).default("auto"),
  // What convolutions compute in (backends/precision.ts). fp32 by default, so that a
  // recipe gives the same numbers on every machine (auto would switch to bf16 on AMX
  // CPUs only); auto takes bf16 where the CPU has AMX-BF16 or AVX512-BF16.
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

/** A validated experiment. */
export type Experiment = z.output<typeof ExperimentSchema>;
