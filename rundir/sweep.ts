/**
 * A sweep directory: one run directory per member (a setting trained with one
 * seed) plus `sweep.json`, the index that names every member with its setting,
 * the values of the swept keys and its seed; then the sweep's table, figures
 * and report once every member has finished.
 * @module
 */
import { isAbsolute, join } from "node:path";
import { z } from "zod";
import { writeFileAtomic } from "./atomic.ts";
import { readJsonFile } from "./_json.ts";

/** File names of a sweep directory (besides one run directory per member). */
export const SWEEP_FILES = {
  /** The index: {@linkcode SweepIndex}, JSON. */
  sweep: "sweep.json",
  /** The sweep table, one row per setting, raw numbers. */
  table: "sweep.csv",
  /** The sweep table, formatted Markdown. */
  tableMarkdown: "sweep.md",
  /** The sweep's report, Markdown. */
  report: "report.md",
  /** SVG figures of the report (the metric against each swept key). */
  figures: "figures",
  /** Created once by whoever writes the report, so it is written once. */
  reportClaim: ".report-claim",
} as const;

/** A swept value as the index records it. */
export type SweptValue = string | number | boolean;

/** One member of a sweep: a run directory training one setting with one seed. */
export interface SweepMember {
  /** The member's run directory, relative to the sweep directory (also the run's name). */
  readonly dir: string;
  /** The setting it is a seed of: the sweep table has one row per setting, over its seeds. */
  readonly setting: string;
  /** The seed it trains with. */
  readonly seed: number;
  /** The value of each swept key (dotted, as the sweep file spells it) in this setting. */
  readonly values: Readonly<Record<string, SweptValue>>;
}

/** What `sweep.json` records. */
export interface SweepIndex {
  /** The sweep's name (also its directory's). */
  readonly name: string;
  /** The sweep file it was expanded from, resolved. */
  readonly file: string;
  /** The swept keys, in the order of the sweep file (grid first, then random). */
  readonly axes: readonly string[];
  /** Overrides given on the command line, applied to every member. */
  readonly overrides: Readonly<Record<string, unknown>>;
  /** The members, in expansion order. */
  readonly members: readonly SweepMember[];
}

// Not exported: the public API names no zod types.
const VALUE = z.union([z.string(), z.number(), z.boolean()]);
const INDEX_SCHEMA = z.strictObject({
  name: z.string().min(1),
  file: z.string().min(1),
  axes: z.array(z.string().min(1)),
  overrides: z.record(z.string(), z.unknown()),
  members: z.array(z.strictObject({
    dir: z.string().min(1).regex(/^[\w.-]+$/, "a directory name"),
    setting: z.string().min(1),
    seed: z.int().min(0),
    values: z.record(z.string(), VALUE),
  })).min(1),
});

/** Writes `sweep.json` in `dir` atomically. */
export async function writeSweepIndex(dir: string, index: SweepIndex): Promise<void> {
  await writeFileAtomic(join(dir, SWEEP_FILES.sweep), JSON.stringify(index, null, 2) + "\n");
}

/**
 * Reads and validates `sweep.json` in `dir`.
 * @throws {Deno.errors.NotFound} when `dir` has no sweep.json.
 * @throws {SyntaxError} naming the file and the first key that is missing or mistyped.
 */
export async function readSweepIndex(dir: string): Promise<SweepIndex> {
  const path = join(dir, SWEEP_FILES.sweep);
  const r = INDEX_SCHEMA.safeParse(await readJsonFile(path));
  if (!r.success) {
    const i = r.error.issues[0];
    throw new SyntaxError(`Cannot read '${path}': '${i.path.join(".") || "(root)"}': ${i.message}`);
  }
  return r.data;
}

/** Whether `dir` is a sweep directory (holds sweep.json). */
export async function isSweepDir(dir: string): Promise<boolean> {
  return await Deno.stat(join(dir, SWEEP_FILES.sweep)).then((s) => s.isFile, () => false);
}

/** The run directory of `member` in the sweep directory `dir`. */
export function sweepMemberDir(dir: string, member: Pick<SweepMember, "dir">): string {
  return isAbsolute(member.dir) ? member.dir : join(dir, member.dir);
}

/**
 * Claims the writing of the sweep's report: true for exactly one caller, on
 * any machine sharing the folder (an exclusive create), false for every later one.
 */
export async function claimSweepReport(dir: string, owner: string): Promise<boolean> {
  try {
    await Deno.writeTextFile(join(dir, SWEEP_FILES.reportClaim), `${owner}\n`, { createNew: true });
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.AlreadyExists) return false;
    throw e;
  }
}
