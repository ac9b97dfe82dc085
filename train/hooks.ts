/**
 * The hook interface of the trainer: a plugin is a plain object with a name
 * and optional typed hooks, called by the engine in compose.ts.
 * @module
 */
import type { ModelSpec } from "../models/spec.ts";
import type {
  Batch,
  EpochContext,
  EpochMetrics,
  NamedGradient,
  RunContext,
  RunEnd,
  RunStop,
  StepContext,
  StepMetrics,
  StopContext,
  ValidationContext,
} from "./types.ts";

/** JSON-serialisable plugin state, saved in checkpoints for exact resume. */
export type PluginState = null | boolean | number | string | PluginState[] | {
  [key: string]: PluginState;
};

/**
 * A plugin. Every hook is optional. Hooks receive plain numbers or borrowed
 * tensors that they must neither keep nor dispose, and change the run only
 * through their context. The trainer's events are hooks too: `setup` (run
 * start), `onStepEnd`, `beforeValidation`, `onEpochEnd`, `onStop`, `onRunEnd`
 * and `onLog`; what writes or prints a run (tables, summary, progress) is a
 * plugin observing them.
 */
export interface Plugin {
  /** Registered name, e.g. `callbacks/reduce-lr-on-plateau`. */
  readonly name: string;
  /** The run-start event: once before the first step (the context says where a resumed run continues). */
  setup?(ctx: RunContext): void | Promise<void>;
  /** Rewrites the architecture before it is built (ablations). */
  transformModel?(spec: ModelSpec): ModelSpec;
  /**
   * Returns the batch to train on (augmentation). Runs inside `tf.tidy`: new
   * tensors it makes are freed by the trainer; the input is borrowed.
   */
  transformBatch?(batch: Batch, ctx: StepContext): Batch;
  /**
   * Sees each step's gradients per weight before they are applied (probes);
   * awaited before they are. Read tensors back with `await t.data()`, never
   * `dataSync()`, which the webgpu backend cannot serve under Deno, and not on
   * every step: a host read stalls the step.
   */
  afterGradients?(grads: readonly NamedGradient[], ctx: StepContext): void | Promise<void>;
  /**
   * Sees the gradients of one training batch with the final weights (those
   * the test evaluates: `best` when a plugin kept them, else the last), after
   * the stop event and before the test evaluation; no update follows. Not
   * called for an interrupted or diverged run. Awaited before the gradients are freed.
   */
  afterFinalGradients?(grads: readonly NamedGradient[], ctx: RunContext): void | Promise<void>;
  /** The step-end event: after each applied step, with the step's and the epoch's running metrics. */
  onStepEnd?(metrics: StepMetrics, ctx: StepContext): void;
  /**
   * The validation event: after each epoch's last step, before its
   * validation. The one place a plugin may change the model's inference state
   * (callbacks/precise-bn re-estimates the batch-norm moving statistics here).
   */
  beforeValidation?(ctx: ValidationContext): void | Promise<void>;
  /** The epoch-end event: after validation of each epoch (callbacks steer here). */
  onEpochEnd?(metrics: EpochMetrics, ctx: EpochContext): void | Promise<void>;
  /** The stop event: the loop ended (completed, stopped, interrupted or diverged), before the test evaluation. */
  onStop?(stop: RunStop, ctx: StopContext): void | Promise<void>;
  /** The run-end event: after the test evaluation, with everything the run produced. */
  onRunEnd?(end: RunEnd, ctx: RunContext): void | Promise<void>;
  /** A line of the run's log (from `ctx.log` of any plugin, or the trainer). */
  onLog?(message: string): void;
  /** Called once after training, also when the run stops early or fails. */
  teardown?(ctx: RunContext): void | Promise<void>;
  /** The plugin's state, for checkpoints (may be async: state on the device is read with `data()`). */
  getState?(): PluginState | Promise<PluginState>;
  /** Restores a state from {@linkcode Plugin.getState} when resuming. */
  setState?(state: PluginState): void;
}
