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
  StepContext,
} from "./types.ts";

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
