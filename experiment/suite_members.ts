/**
 * A suite's members: every experiment crossed with the suite's axes (seeds,
 * and initialisers when the suite compares them), each a run directory with
 * the overrides that make it that member. `train --seeds` and `suite` expand
 * through this one function.
 * @module
 */
import type { SuiteMember } from "../rundir/mod.ts";
import { ConfigError, type Experiment, loadExperiment, mergeExperiment } from "./load.ts";
import { flagOfPath } from "./overrides.ts";

/** The initialisers a suite may cross its experiments with (layers/init.ts). */
export type SuiteInit = "keras" | "pytorch" | "he";

/** One experiment of a suite before its axes are applied. */
export interface MemberSource {
  /** The experiment file, resolved. */
  readonly file: string;
  /** Overrides of this experiment alone (e.g. `model` when `train` names a model). */
  readonly overrides: Readonly<Record<string, unknown>>;
}

/** The axes a suite crosses its experiments with. */
export interface SuiteAxes {
  /** Seeds to train every setting with; absent: each experiment's own seed, once. */
  readonly seeds?: readonly number[];
  /** Initialisers to train every experiment with; absent: each experiment's own. */
  readonly inits?: readonly SuiteInit[];
}

/**
 * Parses `--seeds 0,1,2`: distinct integers ≥ 0, comma-separated.
 * @throws {ConfigError} naming the flag and the value.
 * @example
 * ```ts
 * import { parseSeeds } from "./suite_members.ts";
 * parseSeeds("0,1,2"); // [0, 1, 2]
 * ```
 */
export function parseSeeds(text: string): number[] {
  const parts = text.split(",").map((s) => s.trim());
  const seeds = parts.map(Number);
  if (parts.some((p, i) => p === "" || !Number.isInteger(seeds[i]) || seeds[i] < 0)) {
    throw new ConfigError(
      `--seeds: expected comma-separated integers >= 0 (e.g. 0,1,2), got '${text}'`,
    );
  }
  if (new Set(seeds).size !== seeds.length) {
    throw new ConfigError(`--seeds: each seed may be given once, got '${text}'`);
  }
  return seeds;
}

/**
 * The members of a suite: each source × initialiser × seed, validated as
 * the experiment each will train (so a bad member fails before any trains).
 * A setting is the experiment's name, with `-<init>` when initialisers are
 * crossed (its runs are named so); a member's directory is the setting, with
 * `-seed<N>` when seeds are given.
 * @throws {ConfigError} for an invalid experiment, a seed given both ways,
 *   or two members that would share a directory.
 */
export async function expandMembers(
  sources: readonly MemberSource[],
  axes: SuiteAxes,
  overrides: Readonly<Record<string, unknown>>,
): Promise<{ members: SuiteMember[]; experiments: Experiment[] }> {
  if (axes.seeds !== undefined && overrides.seed !== undefined) {
    throw new ConfigError(
      `--seed ${overrides.seed} and seeds [${axes.seeds}] cannot both be given: ` +
        "give the one seed in --seeds",
    );
  }
  const members: SuiteMember[] = [], experiments: Experiment[] = [];
  const errors: string[] = [];
  for (const source of sources) {
    const base = await loadExperiment(
      source.file,
      mergeExperiment(overrides, source.overrides),
      flagOfPath,
    ).catch((e: unknown) => {
      if (!(e instanceof ConfigError)) throw e;
      errors.push(e.message);
      return undefined;
    });
    if (!base) continue;
    for (const init of axes.inits ?? [undefined]) {
      const setting = init === undefined ? base.name : `${base.name}-${init}`;
      for (const seed of axes.seeds ?? [undefined]) {
        const own = {
          ...source.overrides,
          ...(init !== undefined && { init, name: setting }),
          ...(seed !== undefined && { seed }),
        };
        const exp = await loadExperiment(
          source.file,
          mergeExperiment(overrides, own),
          flagOfPath,
        );
        const dir = seed === undefined ? setting : `${setting}-seed${seed}`;
        members.push({ dir, file: source.file, setting, seed: exp.seed, overrides: own });
        experiments.push(exp);
      }
    }
  }
  if (errors.length) throw new ConfigError(errors.join("\n"));
  const seen = new Map<string, string>();
  for (const m of members) {
    const other = seen.get(m.dir);
    if (other !== undefined) {
      throw new ConfigError(
        `Two suite members would share the run directory '${m.dir}' (${other} and ${m.file}): ` +
          "give each experiment its own 'name'",
      );
    }
    seen.set(m.dir, m.file);
  }
  return { members, experiments };
}

/**
 * The experiment a member of a saved suite trains: its file with the suite's
 * overrides, then its own, then `out` (the suite directory).
 */
export async function memberExperiment(
  member: Pick<SuiteMember, "file" | "overrides">,
  suiteOverrides: Readonly<Record<string, unknown>>,
  out: string,
): Promise<Experiment> {
  return await loadExperiment(
    member.file,
    mergeExperiment(mergeExperiment(suiteOverrides, member.overrides), { out }),
    flagOfPath,
  );
}
