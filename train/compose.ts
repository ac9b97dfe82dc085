/**
 * The engine that runs plugins: calls each hook of each plugin in order,
 * chains the transforms, and keys plugin state by name for checkpoints.
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
import type { Plugin, PluginState } from "./hooks.ts";

/** The hooks a plugin may implement. */
export type PluginHook =
  | "setup"
  | "transformModel"
  | "transformBatch"
  | "afterGradients"
  | "afterFinalGradients"
  | "onStepEnd"
  | "beforeValidation"
  | "onEpochEnd"
  | "onStop"
  | "onRunEnd"
  | "onLog"
  | "teardown";

/** Plugins composed into one object with the hooks of a single plugin. */
export interface PluginChain {
  /** The composed plugins, in call order. */
  readonly plugins: readonly Plugin[];
  /** One unique key per plugin (its name, then `name#2`, `name#3` for repeats). */
  readonly keys: readonly string[];
  /** Whether any plugin implements `hook`, so the trainer can skip work nobody wants. */
  has(hook: PluginHook): boolean;
  /** Runs every `setup` in order, awaiting each. */
  setup(ctx: RunContext): Promise<void>;
  /** Passes the spec through every `transformModel` in order. */
  transformModel(spec: ModelSpec): ModelSpec;
  /** Passes the batch through every `transformBatch` in order (call it inside `tf.tidy`). */
  transformBatch(batch: Batch, ctx: StepContext): Batch;
  /** Hands the step's gradients to every `afterGradients` in order, awaiting each. */
  afterGradients(grads: readonly NamedGradient[], ctx: StepContext): Promise<void>;
  /** Hands the final weights' gradients to every `afterFinalGradients` in order, awaiting each. */
  afterFinalGradients(grads: readonly NamedGradient[], ctx: RunContext): Promise<void>;
  /** Hands the step-end event to every `onStepEnd` in order. */
  onStepEnd(metrics: StepMetrics, ctx: StepContext): void;
  /** Runs every `beforeValidation` in order, awaiting each. */
  beforeValidation(ctx: ValidationContext): Promise<void>;
  /** Runs every `onEpochEnd` in order, awaiting each. */
  onEpochEnd(metrics: EpochMetrics, ctx: EpochContext): Promise<void>;
  /** Runs every `onStop` in order, awaiting each. */
  onStop(stop: RunStop, ctx: StopContext): Promise<void>;
  /** Runs every `onRunEnd` in order, awaiting each. */
  onRunEnd(end: RunEnd, ctx: RunContext): Promise<void>;
  /** Hands a log line to every `onLog` in order. */
  onLog(message: string): void;
  /** Runs every `teardown`, even after one throws; then rethrows the first error. */
  teardown(ctx: RunContext): Promise<void>;
  /** The state of every plugin that has one, keyed by {@linkcode PluginChain.keys}, awaiting each. */
  getState(): Promise<Record<string, PluginState>>;
  /**
   * Restores states from {@linkcode PluginChain.getState}. Plugins without an
   * entry keep their fresh state.
   * @throws {RangeError} for a key that names no stateful plugin of the chain.
   */
  setState(states: Record<string, PluginState>): void;
}

/**
 * Composes plugins into a {@linkcode PluginChain}. An error thrown by a hook is
 * rethrown as a {@linkcode PluginError} naming the plugin and the hook, whose
 * stack is the one of the plugin's own error (also its `cause`).
 *
 * @example Two ablations applied in order
 * ```ts
 * import { composePlugins } from "./compose.ts";
 * import type { ModelSpec } from "../models/spec.ts";
 * const chain = composePlugins([
 *   { name: "a", transformModel: (s: ModelSpec) => ({ ...s, dropout: 0.1 }) },
 *   { name: "b", transformModel: (s: ModelSpec) => ({ ...s, batchNorm: false }) },
 * ]);
 * chain.has("afterGradients"); // false: the trainer need not name gradients
 * ```
 */
export function composePlugins(plugins: readonly Plugin[]): PluginChain {
  const list = [...plugins];
  const keys = uniqueKeys(list);
  const withHook = (hook: Exclude<keyof Plugin, "name">) =>
    list.flatMap((p, i) => (p[hook] ? [{ p, key: keys[i] }] : []));

  return {
    plugins: list,
    keys,
    has: (hook) => list.some((p) => typeof p[hook] === "function"),
    async setup(ctx) {
      for (const { p, key } of withHook("setup")) await guard(key, "setup", () => p.setup!(ctx));
    },
    transformModel(spec) {
      for (const { p, key } of withHook("transformModel")) {
        spec = guard(key, "transformModel", () => p.transformModel!(spec));
      }
      return spec;
    },
    transformBatch(batch, ctx) {
      for (const { p, key } of withHook("transformBatch")) {
        batch = guard(key, "transformBatch", () => p.transformBatch!(batch, ctx));
      }
      return batch;
    },
    async afterGradients(grads, ctx) {
      for (const { p, key } of withHook("afterGradients")) {
        await guard(key, "afterGradients", () => p.afterGradients!(grads, ctx));
      }
    },
    async afterFinalGradients(grads, ctx) {
      for (const { p, key } of withHook("afterFinalGradients")) {
        await guard(key, "afterFinalGradients", () => p.afterFinalGradients!(grads, ctx));
      }
    },
    onStepEnd(metrics, ctx) {
      for (const { p, key } of withHook("onStepEnd")) {
        guard(key, "onStepEnd", () => p.onStepEnd!(metrics, ctx));
      }
    },
    async beforeValidation(ctx) {
      for (const { p, key } of withHook("beforeValidation")) {
        await guard(key, "beforeValidation", () => p.beforeValidation!(ctx));
      }
    },
    async onEpochEnd(metrics, ctx) {
      for (const { p, key } of withHook("onEpochEnd")) {
        await guard(key, "onEpochEnd", () => p.onEpochEnd!(metrics, ctx));
      }
    },
    async onStop(stop, ctx) {
      for (const { p, key } of withHook("onStop")) {
        await guard(key, "onStop", () => p.onStop!(stop, ctx));
      }
    },
    async onRunEnd(end, ctx) {
      for (const { p, key } of withHook("onRunEnd")) {
        await guard(key, "onRunEnd", () => p.onRunEnd!(end, ctx));
      }
    },
    onLog(message) {
      for (const { p, key } of withHook("onLog")) guard(key, "onLog", () => p.onLog!(message));
    },
    async teardown(ctx) {
      let first: unknown = undefined;
      for (const { p, key } of withHook("teardown")) {
        try {
          await guard(key, "teardown", () => p.teardown!(ctx));
        } catch (e) {
          first ??= e;
        }
      }
      if (first !== undefined) throw first;
    },
    async getState() {
      const states: Record<string, PluginState> = {};
      for (const { p, key } of withHook("getState")) {
        states[key] = await guard(key, "getState", () => p.getState!());
      }
      return states;
    },
    setState(states) {
      const stateful = new Map(list.flatMap((p, i) => (p.setState ? [[keys[i], p]] : [])));
      for (const key of Object.keys(states)) {
        if (!stateful.has(key)) {
          throw new RangeError(
            `Cannot restore plugin state: '${key}' names no plugin with state in this run ` +
              `(plugins with state: ${[...stateful.keys()].join(", ") || "none"})`,
          );
        }
      }
      for (const [key, p] of stateful) {
        if (key in states) guard(key, "setState", () => p.setState!(states[key]));
      }
    },
  };
}

function uniqueKeys(plugins: readonly Plugin[]): string[] {
  const seen = new Map<string, number>();
  return plugins.map((p) => {
    const n = (seen.get(p.name) ?? 0) + 1;
    seen.set(p.name, n);
    return n === 1 ? p.name : `${p.name}#${n}`;
  });
}

/** Runs `fn`, rewrapping a thrown error (sync or async) with the plugin key and hook. */
function guard<T>(key: string, hook: string, fn: () => T): T {
  let out: T;
  try {
    out = fn();
  } catch (e) {
    throw wrap(key, hook, e);
  }
  if (out instanceof Promise) {
    return out.catch((e: unknown) => {
      throw wrap(key, hook, e);
    }) as T;
  }
  return out;
}

/** A plugin hook failed: names the plugin and the hook; the stack is the plugin's own. */
export class PluginError extends Error {
  /** Key of the plugin in its chain, e.g. `probes/gradient-norms` or `augment/flip#2`. */
  readonly plugin: string;
  /** The hook that threw, e.g. `onEpochEnd`. */
  readonly hook: string;

  /** Wraps `cause`, thrown by hook `hook` of plugin `plugin`. */
  constructor(plugin: string, hook: string, cause: unknown) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super(`Plugin '${plugin}' failed in ${hook}: ${why}`, { cause });
    this.name = "PluginError";
    this.plugin = plugin;
    this.hook = hook;
    // The wrapper's own frames are the engine's; the plugin's frames say where it failed.
    const frames = cause instanceof Error && cause.stack
      ? cause.stack.split("\n").filter((l) => /^\s+at /.test(l)).join("\n")
      : "";
    if (frames) this.stack = `${this.name}: ${this.message}\n${frames}`;
  }
}

function wrap(key: string, hook: string, e: unknown): Error {
  // A failure already attributed (a hook calling into another chain) keeps its plugin.
  return e instanceof PluginError ? e : new PluginError(key, hook, e);
}
