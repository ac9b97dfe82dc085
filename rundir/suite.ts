/**
 * `suite.json`: the members of a suite directory and the overrides given when
 * it started, validated on read.
 * @module
 */
import { isAbsolute, join } from "node:path";
import { z } from "zod";
import { writeFileAtomic } from "./atomic.ts";
import { SUITE_FILES } from "./layout.ts";
import { readJsonFile } from "./_json.ts";

// The schema of suite.json (not exported: the public API names no zod types).
const SUITE_STATE_SCHEMA = z.object({
  name: z.string().min(1).optional(),
  files: z.array(z.string().min(1)).optional(),
  members: z.array(z.string().min(1)).min(1),
  overrides: z.record(z.string(), z.unknown()).optional(),
});

/** What `suite.json` in a suite directory records. */
export interface SuiteState {
  /** The suite's name. */
  readonly name: string;
  /** Experiment files, resolved. */
  readonly files: readonly string[];
  /** Member run directories, relative to the suite directory. */
  readonly members: readonly string[];
  /** Overrides given on the command line, re-applied on resume. */
  readonly overrides: Readonly<Record<string, unknown>>;
}

/** Writes `suite.json` in `dir`. */
export async function writeSuite(dir: string, state: SuiteState): Promise<void> {
  await writeFileAtomic(join(dir, SUITE_FILES.suite), JSON.stringify(state, null, 2) + "\n");
}

/**
 * Reads `suite.json` in `dir`; only `members` is required (a suite assembled by hand).
 * @throws {SyntaxError} naming the file and the first problem.
 */
export async function readSuite(dir: string): Promise<Partial<SuiteState> & SuiteMembers> {
  const path = join(dir, SUITE_FILES.suite);
  const data = await readJsonFile(path);
  const r = SUITE_STATE_SCHEMA.safeParse(data);
  if (!r.success) {
    const members = (data as { members?: unknown })?.members;
    throw new SyntaxError(
      `Cannot read '${path}': 'members' must be a non-empty array of directory names, got ${
        JSON.stringify(members)
      } (${r.error.issues[0].message} at '${r.error.issues[0].path.join(".")}')`,
    );
  }
  return r.data;
}

/** The member list of a suite. */
export interface SuiteMembers {
  /** Member run directories, relative to the suite directory unless absolute. */
  readonly members: readonly string[];
}

/** Member run directories of the suite in `dir`, resolved against it unless absolute. */
export async function suiteMemberDirs(dir: string): Promise<string[]> {
  return (await readSuite(dir)).members.map((m) => (isAbsolute(m) ? m : join(dir, m)));
}
