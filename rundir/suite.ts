/**
 * `suite.json`: the members of a suite directory (each a run directory with
 * the experiment file, setting and seed it was trained with) and the
 * overrides given when it started, validated on read.
 * @module
 */
import { isAbsolute, join } from "node:path";
import { z } from "zod";
import { writeFileAtomic } from "./atomic.ts";
import { SUITE_FILES } from "./layout.ts";
import { readJsonFile } from "./_json.ts";

// The schemas of suite.json (not exported: the public API names no zod types).
const MEMBER_SCHEMA = z.strictObject({
  dir: z.string().min(1),
  file: z.string().min(1).optional(),
  setting: z.string().min(1).optional(),
  seed: z.int().min(0).optional(),
  overrides: z.record(z.string(), z.unknown()).optional(),
});
const SUITE_STATE_SCHEMA = z.object({
  name: z.string().min(1).optional(),
  // Suites written before members were objects list the experiment files apart.
  files: z.array(z.string().min(1)).optional(),
  members: z.array(z.union([z.string().min(1), MEMBER_SCHEMA])).min(1),
  overrides: z.record(z.string(), z.unknown()).optional(),
});

/** One member of a suite: a run directory and what it trains. */
export interface SuiteMember {
  /** The member's run directory, relative to the suite directory. */
  readonly dir: string;
  /** Its experiment file, resolved. */
  readonly file: string;
  /**
   * The setting it is a seed of (the experiment's name, with the
   * initialiser when the suite crosses initialisers): Table I has one row
   * per setting, over its seeds.
   */
  readonly setting: string;
  /** The seed it trains with. */
  readonly seed: number;
  /** Overrides of this member alone (seed, init, name, model), merged over the suite's. */
  readonly overrides: Readonly<Record<string, unknown>>;
}

/** What `suite.json` in a suite directory records. */
export interface SuiteState {
  /** The suite's name. */
  readonly name: string;
  /** The members, in training order. */
  readonly members: readonly SuiteMember[];
  /** Overrides given on the command line, re-applied to every member on resume. */
  readonly overrides: Readonly<Record<string, unknown>>;
}

/** A member as `suite.json` may hold it: only `dir` is required (a suite assembled by hand). */
export type SuiteMemberEntry = Pick<SuiteMember, "dir"> & Partial<SuiteMember>;

/** What {@linkcode readSuite} returns: the members, and whatever else the file records. */
export interface SuiteFile {
  /** The suite's name, if recorded. */
  readonly name?: string;
  /** The members, in order. */
  readonly members: readonly SuiteMemberEntry[];
  /** Overrides, if recorded. */
  readonly overrides?: Readonly<Record<string, unknown>>;
}

/** Writes `suite.json` in `dir`. */
export async function writeSuite(dir: string, state: SuiteState): Promise<void> {
  await writeFileAtomic(join(dir, SUITE_FILES.suite), JSON.stringify(state, null, 2) + "\n");
}

/**
 * Reads `suite.json` in `dir`; only `members` is required, and a member may
 * be a bare directory name (a suite assembled by hand, or written before
 * members recorded their setting and seed).
 * @throws {SyntaxError} naming the file and the first problem.
 */
export async function readSuite(dir: string): Promise<SuiteFile> {
  const path = join(dir, SUITE_FILES.suite);
  const data = await readJsonFile(path);
  const r = SUITE_STATE_SCHEMA.safeParse(data);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new SyntaxError(
      `Cannot read '${path}': 'members' must be a non-empty array of directory names or ` +
        `{dir, file, setting, seed, overrides} objects (${issue.message} at '${
          issue.path.join(".")
        }')`,
    );
  }
  const { files, members, ...rest } = r.data;
  return {
    ...rest,
    members: members.map((m, i) => {
      const entry = typeof m === "string" ? { dir: m } : m;
      return files?.[i] !== undefined && entry.file === undefined
        ? { ...entry, file: files[i] }
        : entry;
    }),
  };
}

/** A member of a suite as analysis reads it: its resolved directory, setting and seed. */
export interface SuiteRun {
  /** The member's run directory, resolved against the suite directory unless absolute. */
  readonly dir: string;
  /** The setting it belongs to, when suite.json records it. */
  readonly setting?: string;
  /** Its seed, when suite.json records it. */
  readonly seed?: number;
}

/** The members of the suite in `dir`: directories resolved, setting and seed where recorded. */
export async function suiteRuns(dir: string): Promise<SuiteRun[]> {
  return (await readSuite(dir)).members.map((m) => ({
    dir: isAbsolute(m.dir) ? m.dir : join(dir, m.dir),
    ...(m.setting !== undefined && { setting: m.setting }),
    ...(m.seed !== undefined && { seed: m.seed }),
  }));
}

/** Member run directories of the suite in `dir`, resolved against it unless absolute. */
export async function suiteMemberDirs(dir: string): Promise<string[]> {
  return (await suiteRuns(dir)).map((m) => m.dir);
}
