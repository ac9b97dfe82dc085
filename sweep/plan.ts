/**
 * From a sweep file to its members, each validated as an experiment before any
 * trains: the sweep file is checked (file:line:col), the base experiment with
 * the fixed overrides, then every member by the same `loadExperiment` as
 * `train` and `suite`. An error in a member names the place in the sweep file
 * that set the value (the grid value, the random axis), the base file's line,
 * or the flag.
 * @module
 */
import { dirname, join, resolve } from "node:path";
import { parse, stringify } from "yaml";
import { expandMembers, settingOverrides, sweptKeys } from "./expand.ts";
import { parseSweepSpec, type SweepSpec } from "./spec.ts";
import {
  prepareRunDir,
  readSweepIndex,
  RunDirError,
  runPath,
  type SweepIndex,
  sweepMemberDir,
  writeConfig,
  writeSweepIndex,
} from "../rundir/mod.ts";
import {
  ConfigError,
  dotted,
  type Experiment,
  hasPath,
  loadExperiment,
  type Locate,
  mergeExperiment,
  parseFile,
} from "../experiment/load.ts";
import { flagOfPath } from "../experiment/overrides.ts";

/** Most members one sweep may expand to: a bound on what a sweep file can make skiplab plan. */
export const MAX_SWEEP_MEMBERS = 10_000;

/** Members `spec` expands to, computed without expanding it. */
function memberCount(spec: SweepSpec): number {
  const grid = Object.values(spec.grid).reduce((n, values) => n * values.length, 1);
  return grid * (spec.random?.count ?? 1) * (spec.seeds?.length ?? 1);
}

/** A sweep expanded and validated: where it goes, its index, each member's experiment. */
export interface SweepPlan {
  /** The sweep directory, `<out>/<name>`. */
  readonly dir: string;
  /** What sweep.json records. */
  readonly index: SweepIndex;
  /** Each member's resolved experiment, by member directory name. */
  readonly experiments: ReadonlyMap<string, Experiment>;
}

const exists = (p: string) => Deno.stat(p).then(() => true, () => false);

const isPrefix = (a: readonly PropertyKey[], b: readonly PropertyKey[]) =>
  a.length <= b.length && a.every((k, i) => b[i] === k);

/**
 * Expands and validates the sweep file `file` with the command line's
 * `overrides` (applied to every member; `out` and `name` place the sweep).
 * @throws {ConfigError} listing every problem of the file and of every member.
 */
export async function planSweep(
  file: string,
  overrides: Record<string, unknown> = {},
): Promise<SweepPlan> {
  const parsed = await parseFile(file, "sweep file");
  const checked = parseSweepSpec(parsed.value);
  if (!checked.spec) {
    throw new ConfigError(
      checked.issues.map((i) =>
        `${parsed.locate(i.path)}: ${dotted(i.path) || "(top level)"}: ${i.message}`
      ).join("\n"),
    );
  }
  const spec: SweepSpec = checked.spec;
  const { out: outFlag, name: nameFlag, ...flags } = overrides;
  const name = (nameFlag as string | undefined) ?? spec.name;
  const dir = join((outFlag as string | undefined) ?? spec.out, name);
  const keys = sweptKeys(spec);
  const axisPath = (k: string) => k.split(".");
  const refused = keys.filter((k) => hasPath(flags, axisPath(k)))
    .concat(spec.seeds && hasPath(flags, ["seed"]) ? ["seed"] : []);
  if (refused.length) {
    throw new ConfigError(
      refused.map((k) =>
        `${flagOfPath(axisPath(k))}: sets '${k}', which ${file} sweeps; drop the flag or the axis`
      ).join("\n"),
    );
  }
  const fixed = mergeExperiment(spec.set as Record<string, unknown>, flags);
  const baseFile = resolve(dirname(file), spec.experiment);
  const fixedWhere: Locate = (path) =>
    hasPath(flags, path)
      ? flagOfPath(path)
      : hasPath(spec.set, path)
      ? parsed.locate(["set", ...path])
      : `${baseFile} (the base experiment)`;
  const base = await loadExperiment(baseFile, fixed, fixedWhere).catch((e: Error) => {
    throw e instanceof ConfigError
      ? new ConfigError(`${file}: the base experiment with 'set' and the flags:\n${e.message}`)
      : e;
  });

  const valuePlace = (key: string, value: unknown): readonly PropertyKey[] =>
    key in spec.grid
      ? ["grid", key, spec.grid[key].indexOf(value as string)]
      : ["random", "axes", key];
  const count = memberCount(spec);
  if (count > MAX_SWEEP_MEMBERS) {
    throw new ConfigError(
      `${file}: the sweep expands to ${count} members (grid values multiplied, times ` +
        `random.count, times seeds), over the ${MAX_SWEEP_MEMBERS} allowed`,
    );
  }
  const members = expandMembers(spec);
  const settled = await Promise.allSettled(members.map((m) => {
    const { overrides: swept } = settingOverrides(m.setting.values, m.seed, base);
    const memberOverrides = mergeExperiment(fixed, { ...swept, name: m.id });
    const plugins = (memberOverrides.plugins ?? []) as { name?: string }[];
    const where: Locate = (path) => {
      // A plugin option is addressed by the plugin's name in the sweep file.
      const asKey = path[0] === "plugins" && typeof path[1] === "number" && path[2] === "options"
        ? ["plugins", plugins[path[1]]?.name ?? "", ...path.slice(3)]
        : path;
      const key = keys.find((k) => isPrefix(axisPath(k), asKey) || isPrefix(asKey, axisPath(k)));
      if (key !== undefined) {
        const v = m.setting.values[key];
        const place = parsed.locate(valuePlace(key, v));
        return key in spec.grid ? place : `${place} (drawn ${JSON.stringify(v)})`;
      }
      if (path[0] === "seed" && spec.seeds) return parsed.locate(["seeds"]);
      if (path[0] === "name") return `member ${m.id} of ${file}`;
      return fixedWhere(path);
    };
    return loadExperiment(baseFile, memberOverrides, where);
  }));
  const failed = settled.flatMap((r) => r.status === "rejected" ? [r.reason as Error] : []);
  const other = failed.find((e) => !(e instanceof ConfigError));
  if (other) throw other;
  if (failed.length) {
    const lines = failed.flatMap((e) => e.message.split("\n"));
    throw new ConfigError([...new Set(lines)].join("\n"));
  }
  const experiments = new Map<string, Experiment>();
  const entries = members.map((m, i) => {
    const exp = (settled[i] as PromiseFulfilledResult<Experiment>).value;
    experiments.set(m.id, exp);
    return { dir: m.id, setting: m.setting.id, seed: exp.seed, values: m.setting.values };
  });
  const index: SweepIndex = {
    name,
    file: resolve(file),
    axes: keys,
    overrides: { ...flags, ...(outFlag === undefined ? {} : { out: outFlag }) },
    members: entries,
  };
  return { dir, index, experiments };
}

/**
 * Re-plans the sweep in directory `dir` from its sweep.json: the same file
 * and flags, so a file edited since is caught before anything trains.
 */
export async function replanSweep(dir: string): Promise<SweepPlan> {
  const index = await readSweepIndex(dir);
  const plan = await planSweep(index.file, { ...index.overrides, name: index.name });
  return { ...plan, dir };
}

/**
 * Creates the sweep directory, sweep.json and each member's config.yaml, or
 * checks that an existing one was made from the same sweep: a member whose
 * config.yaml differs from what the file now gives is an error, since its
 * run could not continue exactly.
 * @throws {ConfigError} naming the folder or the member that differs.
 */
export async function prepareSweep(plan: SweepPlan): Promise<void> {
  await prepareRunDir(plan.dir).catch((e: unknown) => {
    throw e instanceof RunDirError ? new ConfigError(e.message, { cause: e }) : e;
  });
  const problems: string[] = [];
  for (const m of plan.index.members) {
    const memberDir = sweepMemberDir(plan.dir, m);
    const config = stringify(plan.experiments.get(m.dir));
    const path = runPath(memberDir, "config");
    if (await exists(path)) {
      const had = JSON.stringify(parse(await Deno.readTextFile(path)));
      if (had !== JSON.stringify(parse(config))) {
        problems.push(
          `${path}: member ${m.dir} was started with another experiment than ` +
            `${plan.index.file} now gives; give the sweep another --name, or restore the file`,
        );
      }
      continue;
    }
    await Deno.mkdir(memberDir, { recursive: true });
    await writeConfig(memberDir, config);
  }
  if (problems.length) throw new ConfigError(problems.join("\n"));
  await writeSweepIndex(plan.dir, plan.index);
}
