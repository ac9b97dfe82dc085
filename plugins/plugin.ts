/**
 * The plugin interface: a plain object with a name and optional typed hooks,
 * made by a typed factory whose options are checked by a schema (a zod schema,
 * or anything else with the same `parse`/`safeParse` shape).
 * @module
 */
import type { ModelSpec } from "../models/spec.ts";
import type {
  Batch,
  EpochContext,
  EpochMetrics,
  NamedGradient,
  RunContext,
  StepContext,
} from "../train/types.ts";

/** JSON-serialisable plugin state, saved in checkpoints for exact resume. */
export type PluginState = null | boolean | number | string | PluginState[] | {
  [key: string]: PluginState;
};

/**
 * A plugin. Every hook is optional. Hooks receive plain numbers or borrowed
 * tensors that they must neither keep nor dispose, and change the run only
 * through their context.
 */
export interface Plugin {
  /** Registered name, e.g. `callbacks/reduce-lr-on-plateau`. */
  readonly name: string;
  /** Called once before training. */
  setup?(ctx: RunContext): void | Promise<void>;
  /** Rewrites the architecture before it is built (ablations). */
  transformModel?(spec: ModelSpec): ModelSpec;
  /**
   * Returns the batch to train on (augmentation). Runs inside `tf.tidy`: new
   * tensors it makes are freed by the trainer; the input is borrowed.
   */
  transformBatch?(batch: Batch, ctx: StepContext): Batch;
  /** Sees each step's gradients per weight before they are applied (probes). */
  afterGradients?(grads: readonly NamedGradient[], ctx: StepContext): void;
  /** Called after validation of each epoch (callbacks). */
  onEpochEnd?(metrics: EpochMetrics, ctx: EpochContext): void | Promise<void>;
  /** Called once after training, also when the run stops early or fails. */
  teardown?(ctx: RunContext): void | Promise<void>;
  /** The plugin's state, for checkpoints. */
  getState?(): PluginState;
  /** Restores a state from {@linkcode Plugin.getState} when resuming. */
  setState?(state: PluginState): void;
}

/** One problem found while validating plugin options (the shape of a zod issue). */
export interface SchemaIssue {
  /** Kind of problem, e.g. `too_small` or `unrecognized_keys`. */
  readonly code?: string;
  /** Where in the options the problem is, e.g. `["metrics", 1]`; empty for the options object. */
  readonly path: readonly PropertyKey[];
  /** What is wrong, e.g. `Too small: expected number to be >=0`. */
  readonly message: string;
}

/** The result of {@linkcode OptionsSchema.safeParse}: the options, or the problems found. */
export type SchemaResult<O> =
  | { readonly success: true; readonly data: O }
  | { readonly success: false; readonly error: { readonly issues: readonly SchemaIssue[] } };

/**
 * What a plugin's options are validated with: any zod v4 schema whose output
 * is `O` fits, e.g. `z.strictObject({ p: z.number().default(0.5) })`.
 */
export interface OptionsSchema<O> {
  /**
   * The validated options, with defaults filled in.
   * @throws when the input is invalid (zod throws a `ZodError`).
   */
  parse(input: unknown): O;
  /** Validates without throwing. */
  safeParse(input: unknown): SchemaResult<O>;
}

/** A typed plugin factory: a name, an options schema and a constructor. */
export interface PluginFactory<O = unknown> {
  /** Registered name, e.g. `augment/flip`. */
  readonly name: string;
  /** One line saying what the plugin does. */
  readonly description: string;
  /** Strict schema of the options; defaults fill what is omitted. */
  readonly schema: OptionsSchema<O>;
  /** Builds the plugin from options validated by {@linkcode PluginFactory.schema}. */
  create(options: O): Plugin;
}

/**
 * Declares a plugin factory; the returned object is what a registry holds and
 * what a user plugin module exports by default.
 *
 * @example A probe that counts steps
 * ```ts
 * import { z } from "zod";
 * import { definePlugin } from "./plugin.ts";
 * const counter = definePlugin({
 *   name: "probes/step-counter",
 *   description: "Counts training steps per epoch",
 *   schema: z.object({}).strict(),
 *   create: () => {
 *     let steps = 0;
 *     return {
 *       name: "probes/step-counter",
 *       afterGradients: () => void steps++,
 *       onEpochEnd: (m, ctx) => ctx.record("steps", { epoch: m.epoch, steps }),
 *     };
 *   },
 * });
 * counter.create({});
 * ```
 */
export function definePlugin<O>(factory: PluginFactory<O>): PluginFactory<O> {
  return factory;
}
