/**
 * Expanding a sweep into settings and members: every combination of the grid's
 * values, crossed with `random.count` seeded draws, crossed with the seeds.
 * Names are made from the values, so a member's run directory says what it
 * trains (`lr-0.001_width-0.25_seed-1`).
 * @module
 */
import { Rng } from "../core/rng.ts";
import type { Distribution, SweepSpec } from "./spec.ts";

/** A swept value. */
export type Value = string | number | boolean;

/** One setting of the swept keys. */
export interface Setting {
  /** Its name, from the values (random draws are numbered: `r02_lr-0.000735`). */
  readonly id: string;
  /** The value of each swept key, in the sweep file's order (grid, then random). */
  readonly values: Readonly<Record<string, Value>>;
}

/** One member: a setting and a seed (undefined: the experiment's own seed). */
export interface Member {
  /** Its name and run directory: the setting's, then `_seed-N` when seeds are swept. */
  readonly id: string;
  /** The setting. */
  readonly setting: Setting;
  /** The seed from `seeds`, if the sweep lists seeds. */
  readonly seed: number | undefined;
}

/** The swept keys in order: grid keys, then random ones. */
export function sweptKeys(spec: SweepSpec): string[] {
  return [...Object.keys(spec.grid), ...Object.keys(spec.random?.axes ?? {})];
}

/** One draw from `d`. */
export function draw(d: Distribution, rng: Rng): Value {
  if ("uniform" in d) return rng.uniform(d.uniform[0], d.uniform[1]);
  if ("log_uniform" in d) {
    const [lo, hi] = d.log_uniform;
    return Math.exp(rng.uniform(Math.log(lo), Math.log(hi)));
  }
  if ("int" in d) return d.int[0] + rng.int(d.int[1] - d.int[0] + 1);
  return d.choice[rng.int(d.choice.length)];
}

/** A short label per key: its last segment, or the whole key where two would share one. */
function labels(keys: readonly string[]): Record<string, string> {
  const last = (k: string) => k.split(".").at(-1)!;
  return Object.fromEntries(keys.map((k) => {
    const shared = keys.filter((o) => last(o) === last(k)).length > 1;
    return [k, (shared ? k.replaceAll(".", "-") : last(k)).replace(/[^\w.-]/g, "-")];
  }));
}

function valueText(v: Value, drawn: boolean): string {
  const s = typeof v === "number" && drawn && !Number.isInteger(v)
    ? String(Number(v.toPrecision(3)))
    : String(v);
  return s.replace(/[^\w.-]/g, "-");
}

function name(values: Record<string, Value>, label: Record<string, string>, drawn: Set<string>) {
  return Object.entries(values).map(([k, v]) => `${label[k]}-${valueText(v, drawn.has(k))}`)
    .join("_");
}

/**
 * The settings of a sweep: the grid's combinations (first key outermost),
 * each crossed with the same `random.count` draws. No axes: one setting, `base`.
 */
export function expandSettings(spec: SweepSpec): Setting[] {
  const keys = sweptKeys(spec);
  const label = labels(keys);
  let points: Record<string, Value>[] = [{}];
  for (const [k, values] of Object.entries(spec.grid)) {
    points = points.flatMap((p) => values.map((v) => ({ ...p, [k]: v })));
  }
  const gridNames = points.map((p) => name(p, label, new Set()));
  if (!spec.random) {
    return points.map((values, i) => ({ id: gridNames[i] || "base", values }));
  }
  const rng = new Rng(spec.random.seed);
  const randomKeys = Object.keys(spec.random.axes);
  const width = String(spec.random.count).length;
  const draws = Array.from({ length: spec.random.count }, (_, i) => {
    const values = Object.fromEntries(randomKeys.map((k) => [k, draw(spec.random!.axes[k], rng)]));
    const id = `r${String(i + 1).padStart(width, "0")}_${name(values, label, new Set(randomKeys))}`;
    return { id, values };
  });
  return points.flatMap((p, i) =>
    draws.map((d) => ({
      id: gridNames[i] ? `${gridNames[i]}_${d.id}` : d.id,
      values: { ...p, ...d.values },
    }))
  );
}

/** The members of a sweep: every setting with every seed (or once, without `seeds`). */
export function expandMembers(spec: SweepSpec): Member[] {
  const settings = expandSettings(spec);
  if (!spec.seeds) return settings.map((setting) => ({ id: setting.id, setting, seed: undefined }));
  return settings.flatMap((setting) =>
    spec.seeds!.map((seed) => ({ id: `${setting.id}_seed-${seed}`, setting, seed }))
  );
}

/** A plugin entry of an experiment (`name` or `path`, with options). */
export interface PluginEntry {
  /** A registered plugin's name. */
  readonly name?: string;
  /** A plugin file's path. */
  readonly path?: string;
  /** Its options. */
  readonly options?: Readonly<Record<string, unknown>>;
}

/** Where a swept key went in the overrides it was turned into. */
export interface OverridePlace {
  /** The key path inside the overrides (`["plugins", 0, "options", "patience"]`). */
  readonly path: readonly PropertyKey[];
  /** The swept key. */
  readonly key: string;
}

const isPlain = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

function setIn(target: Record<string, unknown>, path: readonly string[], v: unknown): void {
  let at = target;
  for (const k of path.slice(0, -1)) {
    const next = at[k];
    at = at[k] = next !== null && typeof next === "object" && !Array.isArray(next)
      ? { ...next as Record<string, unknown> }
      : {};
  }
  at[path.at(-1)!] = v;
}

/**
 * The experiment overrides of one setting (plus its seed), given the base
 * experiment as resolved (defaults filled in): a dotted key sets that nested
 * key within the base's section (`optimizer.lr` keeps the base optimiser's
 * type and other settings); `plugins.<name>.<option…>` sets an option of the
 * named plugin, keeping the base's other options of it (or adds the plugin
 * when the base has none of that name). Also returns where each swept key
 * went in the overrides.
 */
export function settingOverrides(
  values: Readonly<Record<string, Value>>,
  seed: number | undefined,
  base: Readonly<Record<string, unknown>> & { readonly plugins?: readonly PluginEntry[] },
): { overrides: Record<string, unknown>; places: OverridePlace[] } {
  const basePlugins = base.plugins ?? [];
  const overrides: Record<string, unknown> = {};
  const places: OverridePlace[] = [];
  const plugins: PluginEntry[] = [];
  for (const [key, v] of Object.entries(values)) {
    const path = key.split(".");
    if (path[0] !== "plugins" || path.length < 3) {
      const section = base[path[0]];
      if (path.length > 1 && !(path[0] in overrides) && isPlain(section)) {
        overrides[path[0]] = structuredClone(section);
      }
      setIn(overrides, path, v);
      places.push({ path, key });
      continue;
    }
    const [, plugin, ...option] = path;
    let i = plugins.findIndex((p) => p.name === plugin);
    if (i < 0) {
      const base = basePlugins.find((p) => p.name === plugin);
      plugins.push({ name: plugin, options: { ...(base?.options ?? {}) } });
      i = plugins.length - 1;
    }
    const options = { ...plugins[i].options };
    setIn(options, option, v);
    plugins[i] = { ...plugins[i], options };
    places.push({ path: ["plugins", i, "options", ...option], key });
  }
  if (plugins.length) overrides.plugins = plugins;
  if (seed !== undefined) overrides.seed = seed;
  return { overrides, places };
}
