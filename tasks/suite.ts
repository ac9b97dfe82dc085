/**
 * Suites: several experiments run under one recipe, each in its own run
 * directory inside the suite's, then the paper's Table I. A suite resumes at
 * the member and epoch where it stopped.
 * @module
 */
import { dirname, resolve } from "node:path";
import { parse } from "yaml";
import { z } from "zod";
import { renderReport } from "../analysis/mod.ts";
import {
  checkpointDir,
  prepareRunDir,
  readSuite,
  RUN_FILES,
  RunDirError,
  SUITE_FILES,
  type SuiteState,
  writeSuite,
} from "../rundir/mod.ts";
import { ConfigError, loadExperiments, mergeExperiment } from "./config.ts";
import { flagOfPath } from "./flags.ts";
import { runExperiment } from "./run.ts";

const SuiteSchema = z.strictObject({
  name: z.string().min(1).regex(/^[\w.-]+$/, "letters, digits, '_', '-', '.' only"),
  members: z.array(z.string().min(1)).min(1),
  out: z.string().min(1).default("runs"),
});

/** Options of {@linkcode runSuite}. */
export interface SuiteOptions {
  readonly signal?: AbortSignal;
  /** Resume this suite directory instead of starting a new one. */
  readonly resumeDir?: string;
  /** Write progress to stderr. @default true */
  readonly progress?: boolean;
  /** Print each member's report and the suite's at the end. @default true */
  readonly print?: boolean;
}

const exists = (p: string) => Deno.stat(p).then(() => true, () => false);

/**
 * Runs a suite file (`name`, `members: [experiment.yaml …]`, `out`), or
 * resumes one when `file` is a suite directory holding `suite.json`.
 * Overrides (command-line flags) apply to every member.
 */
export async function runSuite(
  file: string,
  overrides: Record<string, unknown> = {},
  options: SuiteOptions = {},
): Promise<{ dir: string; interrupted: boolean }> {
  let dir: string;
  let state: SuiteState;
  if (await exists(`${file}/${SUITE_FILES.suite}`)) {
    dir = file;
    const saved = await readSuite(dir);
    if (!saved.files || saved.files.length !== saved.members.length) {
      throw new ConfigError(
        `Cannot resume suite '${dir}': suite.json must list one experiment file per member ` +
          `('files'), got ${JSON.stringify(saved.files)}`,
      );
    }
    state = {
      name: saved.name ?? dir,
      files: saved.files,
      members: saved.members,
      overrides: saved.overrides ?? {},
    };
  } else {
    let raw: unknown;
    try {
      raw = parse(await Deno.readTextFile(file));
    } catch (e) {
      throw new ConfigError(`Cannot read suite '${file}': ${(e as Error).message}`);
    }
    const r = SuiteSchema.safeParse(raw);
    if (!r.success) {
      const i = r.error.issues[0];
      throw new ConfigError(`${file}: ${i.path.join(".") || "(top level)"}: ${i.message}`);
    }
    const out = (overrides.out as string | undefined) ?? r.data.out;
    const stamp = new Date().toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
    dir = `${out}/${stamp}-${r.data.name}`;
    const files = r.data.members.map((m) => resolve(dirname(file), m));
    // Validate every member before training any.
    const names = (await loadExperiments(files, overrides, flagOfPath)).map((e) => e.name);
    state = { name: r.data.name, files, members: names, overrides };
    await prepareRunDir(dir).catch((e: unknown) => {
      throw e instanceof RunDirError ? new ConfigError(e.message, { cause: e }) : e;
    });
    await writeSuite(dir, state);
  }
  // Also on resume: a member file edited since must not fail after others trained.
  const exps = await loadExperiments(
    state.files,
    mergeExperiment(state.overrides, { out: dir }),
    flagOfPath,
  );
  for (const [i, exp] of exps.entries()) {
    const memberDir = `${dir}/${state.members[i]}`;
    if (await exists(`${memberDir}/${RUN_FILES.summary}`)) continue;
    const resuming = await exists(`${checkpointDir(memberDir, "last")}/state.json`);
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
