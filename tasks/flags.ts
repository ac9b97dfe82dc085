/**
 * Command-line flags: which exist, which experiment key each sets (by the
 * spelling rule of keys.ts, `--batch-size` → `batch_size`, or a key inside a
 * section), and how they become the one overrides object that
 * `loadExperiment` merges and validates. Flags are only turned from text into
 * numbers here; every rule about their values lives in the schema.
 * @module
 */
import { parseArgs } from "node:util";
import { Registry } from "../models/mod.ts";
import { ConfigError, type Locate } from "./config.ts";
import { keyOfFlag } from "./keys.ts";

/** The flags `parseArgs` accepts (settings, then the commands' own switches). */
export const FLAGS = {
  epochs: { type: "string" },
  iterations: { type: "string" },
  budget: { type: "string" },
  "eval-every": { type: "string" },
  "batch-size": { type: "string" },
  lr: { type: "string" },
  backend: { type: "string" },
  precision: { type: "string" },
  data: { type: "string" },
  limit: { type: "string" },
  seed: { type: "string" },
  out: { type: "string" },
  name: { type: "string" },
  width: { type: "string" },
  init: { type: "string" },
  plugin: { type: "string", multiple: true },
  resume: { type: "string" },
  seeds: { type: "string" },
  "print-config": { type: "boolean" },
  help: { type: "boolean", short: "h" },
  // serve and report --html (the dashboard).
  port: { type: "string" },
  host: { type: "string" },
  poll: { type: "boolean" },
  html: { type: "boolean" },
} as const;

/** Parsed flag values. */
export type FlagValues = ReturnType<
  typeof parseArgs<{ options: typeof FLAGS; allowPositionals: true }>
>["values"];

/** A flag that sets an experiment key. */
export type SettingFlag = Exclude<
  keyof typeof FLAGS,
  "resume" | "seeds" | "print-config" | "help" | "port" | "host" | "poll" | "html"
>;

interface Setting {
  /** Key path set; by default the flag's own name in YAML spelling at the top level. */
  readonly path?: readonly string[];
  readonly kind?: "number" | "text" | "plugins";
  /** May be given with `--resume` without breaking exact continuation. */
  readonly resumable?: boolean;
}

const SETTINGS: Record<SettingFlag, Setting> = {
  epochs: { kind: "number", resumable: true },
  iterations: { kind: "number" },
  budget: { kind: "number" },
  "eval-every": { kind: "number" },
  "batch-size": { kind: "number" },
  lr: { kind: "number", path: ["optimizer", "lr"] },
  backend: {},
  precision: {},
  data: { path: ["data", "source"] },
  limit: { kind: "number", path: ["data", "limit"] },
  seed: { kind: "number" },
  out: {},
  name: {},
  width: { kind: "number", path: ["model_options", "width"] },
  init: {},
  plugin: { kind: "plugins", path: ["plugins"] },
};

/** The experiment key path a flag sets: `"batch-size"` → `["batch_size"]`, `"lr"` → `["optimizer", "lr"]`. */
export const pathOfFlag = (flag: SettingFlag): readonly string[] =>
  SETTINGS[flag].path ?? [keyOfFlag(flag)];
const settingFlags = Object.keys(SETTINGS) as SettingFlag[];

/**
 * Parses `args` (after the command); an unknown flag is an error with
 * suggestions: `Unknown flag '--epoch'. Did you mean '--epochs'?`.
 */
export function parseFlags(args: string[]): { values: FlagValues; positionals: string[] } {
  for (const arg of args) {
    const flag = arg.startsWith("--") ? arg.slice(2).split("=")[0] : undefined;
    if (flag && !(flag in FLAGS)) {
      const known = new Registry<true>("flag");
      for (const k of Object.keys(FLAGS)) known.register(`--${k}`, true);
      known.get(`--${flag}`);
    }
  }
  return parseArgs({ args, options: FLAGS, allowPositionals: true, strict: true });
}

function number(flag: string, v: string): number {
  const n = Number(v);
  if (v.trim() === "" || !Number.isFinite(n)) {
    throw new ConfigError(`--${flag}: expected a number, got '${v}'`);
  }
  return n;
}

/**
 * The experiment overrides the flags give, as YAML keys:
 * `--batch-size 32 --lr 0.01` → `{ batch_size: 32, optimizer: { lr: 0.01 } }`.
 * `--plugin` paths are resolved against the working directory.
 */
export function overridesFromFlags(values: FlagValues): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const flag of settingFlags) {
    const v = values[flag];
    if (v === undefined) continue;
    const kind = SETTINGS[flag].kind ?? "text";
    const value = kind === "plugins"
      ? (v as string[]).map((p) => ({ path: new URL(p, `file://${Deno.cwd()}/`).pathname }))
      : kind === "number"
      ? number(flag, v as string)
      : v;
    const path = pathOfFlag(flag);
    let at = out;
    for (const k of path.slice(0, -1)) at = (at[k] ??= {}) as Record<string, unknown>;
    at[path.at(-1)!] = value;
  }
  return out;
}

/** Names the flag that set a key path of the overrides, e.g. `["data", "limit"]` → `--limit`. */
export const flagOfPath: Locate = (path) => {
  const flag = settingFlags.find((f) => pathOfFlag(f).every((k, i) => path[i] === k));
  return flag ? `--${flag}` : "command line";
};

/**
 * The setting flags given that a resumed run refuses, because they would
 * change it; with `all`, every setting flag given (a suite resumes with the
 * flags it was started with).
 */
export function flagsRefusedOnResume(values: FlagValues, all = false): SettingFlag[] {
  return settingFlags.filter((f) => values[f] !== undefined && (all || !SETTINGS[f].resumable));
}
