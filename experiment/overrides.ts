/**
 * The settings a command line (or any caller) may override in an experiment,
 * which key each sets (by the spelling rule of keys.ts, `batch-size` →
 * `batch_size`, or a key inside a section), and how their text values become
 * the one overrides object that {@linkcode loadExperiment} merges and
 * validates. Values are only turned from text into numbers here; every rule
 * about them lives in the schema. The CLI declares its setting flags from
 * this table (tasks/commands/), so a setting is named in one place.
 * @module
 */
import { ConfigError, type Locate } from "./config_error.ts";
import { keyOfFlag } from "./keys.ts";

/** One overridable setting. */
export interface Setting {
  /** Key path set; by default the setting's own name in YAML spelling at the top level. */
  readonly path?: readonly string[];
  /** How the text value is read. @default "text" */
  readonly kind?: "number" | "text" | "plugins";
  /** May be given with `--resume` without breaking exact continuation. */
  readonly resumable?: boolean;
  /** The value's placeholder in help, e.g. `N`. */
  readonly value: string;
  /** One line of help. */
  readonly help: string;
}

/** The settings, by flag name (kebab case). */
export const SETTINGS = {
  epochs: {
    kind: "number",
    resumable: true,
    value: "N",
    help: "epochs to train (a resume may raise it)",
  },
  "batch-size": { kind: "number", value: "N", help: "images per step" },
  lr: { kind: "number", path: ["optimizer", "lr"], value: "X", help: "learning rate" },
  backend: {
    value: "NAME",
    help: "auto (the fastest, measured)|auto:remeasure|native|tensorflow|webgpu|wasm|cpu",
  },
  precision: {
    value: "P",
    help: "fp32|bf16|auto (bf16: native backend on an AMX or AVX512-BF16 CPU)",
  },
  data: { path: ["data", "source"], value: "SOURCE", help: "cifar10|synthetic|PATH|URL" },
  limit: {
    kind: "number",
    path: ["data", "limit"],
    value: "N",
    help: "use only the first N training images",
  },
  seed: { kind: "number", value: "N", help: "seed of every random draw" },
  out: { value: "DIR", help: "folder of run directories (default runs)" },
  name: { value: "NAME", help: "the run's name (its folder is <time>-<name>)" },
  width: {
    kind: "number",
    path: ["model_options", "width"],
    value: "X",
    help: "scale every layer's filters, e.g. 0.25 for a quick run",
  },
  init: { value: "NAME", help: "keras|pytorch|he initialisers and batch-norm settings" },
  iterations: { kind: "number", value: "N", help: "train for N iterations (He et al.'s recipe)" },
  budget: {
    kind: "number",
    value: "X",
    help: "a fraction of an iteration recipe (stop, milestones, eval_every)",
  },
  "eval-every": {
    kind: "number",
    value: "N",
    help: "iterations between validation points of curve.csv",
  },
  plugin: {
    kind: "plugins",
    path: ["plugins"],
    value: "FILE",
    help: "load a plugin file",
  },
} as const satisfies Record<string, Setting>;

/** The name of a setting, as a flag spells it: `batch-size`. */
export type SettingName = keyof typeof SETTINGS;

/** Text values of settings, as a command line gives them (`plugin` may repeat). */
export type SettingValues = { readonly [K in SettingName]?: string | readonly string[] };

const names = Object.keys(SETTINGS) as SettingName[];
const setting = (name: SettingName): Setting => SETTINGS[name];

/** The experiment key path a setting sets: `"batch-size"` → `["batch_size"]`, `"lr"` → `["optimizer", "lr"]`. */
export function pathOfSetting(name: SettingName): readonly string[] {
  return setting(name).path ?? [keyOfFlag(name)];
}

function number(name: string, v: string): number {
  const n = Number(v);
  if (v.trim() === "" || !Number.isFinite(n)) {
    throw new ConfigError(`--${name}: expected a number, got '${v}'`);
  }
  return n;
}

/**
 * The experiment overrides the settings give, as YAML keys:
 * `{ "batch-size": "32", lr: "0.01" }` → `{ batch_size: 32, optimizer: { lr: 0.01 } }`.
 * Plugin paths are resolved against `cwd`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { overridesFromSettings } from "./overrides.ts";
 * assert.deepEqual(overridesFromSettings({ "batch-size": "32", lr: "0.01" }), {
 *   batch_size: 32,
 *   optimizer: { lr: 0.01 },
 * });
 * ```
 */
export function overridesFromSettings(
  values: SettingValues,
  cwd: string = Deno.cwd(),
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of names) {
    const v = values[name];
    if (v === undefined) continue;
    const kind = setting(name).kind ?? "text";
    const texts = typeof v === "string" ? [v] : v;
    const value = kind === "plugins"
      ? texts.map((p) => ({ path: new URL(p, `file://${cwd.replace(/\/?$/, "/")}`).pathname }))
      : kind === "number"
      ? number(name, texts.at(-1)!)
      : texts.at(-1);
    const path = pathOfSetting(name);
    let at = out;
    for (const k of path.slice(0, -1)) at = (at[k] ??= {}) as Record<string, unknown>;
    at[path.at(-1)!] = value;
  }
  return out;
}

/** Names the flag that set a key path of the overrides, e.g. `["data", "limit"]` → `--limit`. */
export const flagOfPath: Locate = (path) => {
  const name = names.find((f) => pathOfSetting(f).every((k, i) => path[i] === k));
  return name ? `--${name}` : "command line";
};

/**
 * The settings given that a resumed run refuses, because they would change
 * it; with `all`, every setting given (a suite resumes with the settings it
 * was started with).
 */
export function settingsRefusedOnResume(values: SettingValues, all = false): SettingName[] {
  return names.filter((f) => values[f] !== undefined && (all || !setting(f).resumable));
}
