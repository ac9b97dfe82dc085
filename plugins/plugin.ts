/**
 * Plugin factories: a name, an options schema (a zod schema, or anything else
 * with the same `parse`/`safeParse` shape) and a constructor of the plugin.
 * The hook interface itself is the trainer's (train/hooks.ts).
 * @module
 */
import type { Plugin } from "../train/hooks.ts";

export type { Plugin, PluginState } from "../train/hooks.ts";

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
