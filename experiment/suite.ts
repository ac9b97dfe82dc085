/**
 * Suites: several experiments run under one recipe, each once per seed (and
 * per initialiser when the suite crosses them) in its own run directory
 * inside the suite's, then the paper's Table I over the seeds. A suite
 * resumes at the member and epoch where it stopped.
 * @module
 */
import { dirname, resolve } from "node:path";
import { parse } from "yaml";
import {
  FILE_BOUNDS,
  FileBoundError,
  MAX_YAML_ALIASES,
  readBoundedText,
} from "../core/bounded_read.ts";
import { z } from "zod";
import { renderReport } from "../analysis/mod.ts";
import {
  checkpointDir,
  checkpointPath,
  holdRunDir,
  inheritedRunLock,
  newRunDir,
  prepareRunDir,
  readSuite,
  RunDirError,
  runPath,
  SUITE_FILES,
  type SuiteMember,
  type SuiteState,
  writeSuite,
} from "../rundir/mod.ts";
import { ConfigError } from "./load.ts";
import { logEstimate } from "./estimate.ts";
import { runExperiment } from "./run.ts";
import { completeReport } from "./resume.ts";
import {
  expandMembers,
  memberExperiment,
  type MemberSource,
  type SuiteAxes,
} from "./suite_members.ts";

const SuiteSchema = z.strictObject({
  name: z.string().min(1).regex(/^[\w.-]+$/, "letters, digits, '_', '-', '.' only"),
  members: z.array(z.string().min(1)).min(1),
  out: z.string().min(1).default("runs"),
  // Every member once per seed; `--seeds` replaces the list.
  seeds: z.array(z.int().min(0)).min(1)
    .refine((s) => new Set(s).size === s.length, "each seed may be listed once").optional(),
  // Every member once per initialiser (layers/init.ts), named `<name>-<init>`.
  inits: z.array(z.enum(["keras", "pytorch", "he"])).min(1)
    .refine((s) => new Set(s).size === s.length, "each initialiser may be listed once")
    .optional(),
});

/** Options of {@linkcode runSuite}. */
export interface SuiteOptions {
  /** Stops the suite: the current member saves checkpoints/last after its step. */
  readonly signal?: AbortSignal;
  /** Seeds to run every member with (`--seeds`), replacing the suite file's `seeds`. */
  readonly seeds?: readonly number[];
  /** Write progress to stderr. @default true */
  readonly progress?: boolean;
  /** Print each member's report and the suite's at the end. @default true */
  readonly print?: boolean;
  /** Time each distinct model a few steps and print the total first (tasks/estimate.ts). @default progress */
  readonly estimate?: boolean;
}

/** A suite to start: its name, where it goes, its experiments and axes. */
export interface SuiteDefinition {
  /** The suite's name (its directory is `<out>/<time>-<name>`). */
  readonly name: string;
  /** The folder the suite directory is made in. */
  readonly out: string;
  /** The experiments. */
  readonly sources: readonly MemberSource[];
  /** Seeds and initialisers to cross them with. */
  readonly axes: SuiteAxes;
}

const exists = (p: string) => Deno.stat(p).then(() => true, () => false);

/**
 * Runs a suite file (`name`, `members: [experiment.yaml …]`, `out`, and
 * optionally `seeds` and `inits`), or resumes one when `file` is a suite
 * directory holding `suite.json`. Overrides (command-line flags) apply to
 * every member.
 */
export async function runSuite(
  file: string,
  overrides: Record<string, unknown> = {},
  options: SuiteOptions = {},
): Promise<{ dir: string; interrupted: boolean }> {
  if (await exists(`${file}/${SUITE_FILES.suite}`)) {
    if (options.seeds !== undefined) {
      throw new ConfigError(
        `suite --resume ${file}: --seeds cannot be given: a suite resumes with its own members`,
      );
    }
    return await resumeSuite(file, options);
  }
  let raw: unknown;
  try {
    raw = parse(await readBoundedText(file, FILE_BOUNDS.yaml, "suite"), {
      maxAliasCount: MAX_YAML_ALIASES,
    });
  } catch (e) {
    if (e instanceof FileBoundError) throw e;
    throw new ConfigError(`Cannot read suite '${file}': ${(e as Error).message}`);
  }
  const r = SuiteSchema.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new ConfigError(`${file}: ${i.path.join(".") || "(top level)"}: ${i.message}`);
  }
  return await startSuite(
    {
      name: r.data.name,
      out: (overrides.out as string | undefined) ?? r.data.out,
      sources: r.data.members.map((m) => ({ file: resolve(dirname(file), m), overrides: {} })),
      axes: { seeds: options.seeds ?? r.data.seeds, inits: r.data.inits },
    },
    overrides,
    options,
  );
}

/**
 * Starts a suite: expands and validates every member before training any,
 * writes `suite.json`, then trains the members in order (`train --seeds`
 * is a one-experiment suite started here).
 */
export async function startSuite(
  definition: SuiteDefinition,
  overrides: Record<string, unknown>,
  options: SuiteOptions = {},
): Promise<{ dir: string; interrupted: boolean }> {
  const { members } = await expandMembers(definition.sources, definition.axes, overrides);
  const asConfigError = (e: unknown) => {
    throw e instanceof RunDirError ? new ConfigError(e.message, { cause: e }) : e;
  };
  // Made atomically: two suites started in the same second never share a folder.
  const dir = await newRunDir(definition.out, definition.name).catch(asConfigError);
  await prepareRunDir(dir).catch(asConfigError);
  const state: SuiteState = { name: definition.name, members, overrides };
  await writeSuite(dir, state);
  return await trainMembers(dir, state, options);
}

async function resumeSuite(
  dir: string,
  options: SuiteOptions,
): Promise<{ dir: string; interrupted: boolean }> {
  const saved = await readSuite(dir);
  const members = saved.members.map((m, i): SuiteMember => {
    if (m.file === undefined) {
      throw new ConfigError(
        `Cannot resume suite '${dir}': member ${i} ('${m.dir}') of suite.json names no ` +
          "experiment file ('file')",
      );
    }
    return {
      dir: m.dir,
      file: m.file,
      setting: m.setting ?? m.dir,
      seed: m.seed ?? 0,
      overrides: m.overrides ?? {},
    };
  });
  const state = { name: saved.name ?? dir, members, overrides: saved.overrides ?? {} };
  return await trainMembers(dir, state, options);
}

/** Trains the members under the suite folder's lock: one process writes a suite at a time. */
async function trainMembers(
  dir: string,
  state: SuiteState,
  options: SuiteOptions,
): Promise<{ dir: string; interrupted: boolean }> {
  const lock = await holdRunDir(dir, "suite", { inherit: inheritedRunLock() });
  try {
    return await trainMembersLocked(dir, state, options);
  } finally {
    await lock.release();
  }
}

async function trainMembersLocked(
  dir: string,
  state: SuiteState,
  options: SuiteOptions,
): Promise<{ dir: string; interrupted: boolean }> {
  // Also on resume: a member file edited since must not fail after others trained.
  const exps = [];
  for (const m of state.members) exps.push(await memberExperiment(m, state.overrides, dir));
  if (options.estimate ?? options.progress !== false) {
    const members = exps.map((exp, i) => ({ dir: `${dir}/${state.members[i].dir}`, exp }));
    await logEstimate(`suite ${state.name}`, members, (l) => console.error(l));
  }
  for (const [i, exp] of exps.entries()) {
    const memberDir = `${dir}/${state.members[i].dir}`;
    if (await exists(runPath(memberDir, "summary"))) {
      // Killed after its summary, before its report: the report is all it lacks.
      await completeReport(memberDir, options.print !== false);
      continue;
    }
    const resuming = await exists(checkpointPath(checkpointDir(memberDir, "last"), "state"));
    const { result } = await runExperiment(exp, {
      dir: memberDir,
      resumeDir: resuming ? memberDir : undefined,
      signal: options.signal,
      progress: options.progress,
      print: options.print,
    });
    if (result.interrupted) return { dir, interrupted: true };
  }
  // Table I (table.csv, table.md), suite figures and report.md, from the members' files.
  const report = await renderReport(dir);
  if (options.print !== false) console.log(report.text);
  return { dir, interrupted: false };
}
