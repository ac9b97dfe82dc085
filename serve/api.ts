/**
 * The dashboard's JSON API, one function of a path for both the server and
 * the saved report: `/api/runs` (the table), `/api/run/<id>` (a run's page),
 * `/api/suite/<id>` (a suite's page) and `/api/sweep/<id>` (a sweep's page). Ids are paths under the served
 * folder; each is checked (serve/safety.ts) before any file is read.
 * @module
 */
import { basename, dirname, join } from "node:path";
import {
  findRunDirs,
  type FoundDir,
  isRunDir,
  RUN_FILES,
  RUN_MARKERS,
  SUITE_FILES,
  SWEEP_FILES,
} from "../rundir/mod.ts";
import { resolveId } from "./safety.ts";
import { runDetail, type RunRow, runRow } from "./run_view.ts";
import { suiteDetail } from "./suite_view.ts";
import { sweepDetail } from "./sweep_view.ts";

/** What `/api/runs` returns. */
export interface RunsListing {
  /** The served folder's name. */
  readonly root: string;
  /** Every run, suite members included; sweep members are under their sweep instead. */
  readonly runs: readonly RunRow[];
  /** Every suite. */
  readonly suites: readonly { readonly id: string; readonly name: string }[];
  /** Every sweep, with its members' statuses counted. */
  readonly sweeps: readonly SweepListing[];
}

/** A sweep in the runs listing. */
export interface SweepListing {
  /** Sweep id. */
  readonly id: string;
  /** Its folder's name. */
  readonly name: string;
  /** Members found. */
  readonly members: number;
  /** Members by status (finished, training…). */
  readonly statuses: Readonly<Record<string, number>>;
}

/** The runs table of the folder at real path `root` (of the directories `found` in it, by default all). */
export async function listRuns(root: string, found?: readonly FoundDir[]): Promise<RunsListing> {
  found ??= await findRunDirs(root);
  const all = await Promise.all(
    found.filter((f) => f.kind === "run").map(async (f) => ({
      sweep: f.sweep,
      row: await runRow(f.id, f.path, f.suite ?? null),
    })),
  );
  const named = (kind: string) =>
    found.filter((f) => f.kind === kind).map((f) => ({ id: f.id, name: f.id.split("/").pop()! }));
  const sweeps = named("sweep").map((s) => {
    const members = all.filter((r) => r.sweep === s.id).map((r) => r.row);
    const statuses: Record<string, number> = {};
    for (const m of members) statuses[m.status] = (statuses[m.status] ?? 0) + 1;
    return { ...s, members: members.length, statuses };
  });
  const runs = all.filter((r) => r.sweep === undefined).map((r) => r.row);
  return { root: basename(root), runs, suites: named("suite"), sweeps };
}

const has = (dir: string, file: string) =>
  Deno.stat(join(dir, file)).then((s) => s.isFile, () => false);

/**
 * The JSON of API path `segments` (decoded, e.g. `["api", "run", "suite", "m1"]`) under real root `root`.
 * @throws {RefusedPath} for an id that breaks the path rules or leads outside the root.
 * @throws {Deno.errors.NotFound} for an unknown path, or an id that is not a run (suite).
 */
export async function apiGet(root: string, segments: readonly string[]): Promise<unknown> {
  const [api, kind, ...idParts] = segments;
  if (api !== "api") throw new Deno.errors.NotFound(`No such page: /${segments.join("/")}`);
  if (kind === "runs" && idParts.length === 0) return await listRuns(root);
  if ((kind === "run" || kind === "suite" || kind === "sweep") && idParts.length > 0) {
    const id = idParts.join("/");
    const dir = await resolveId(root, id).catch((e) => {
      if (e instanceof Deno.errors.NotFound) throw new Deno.errors.NotFound(`No ${kind} '${id}'`);
      throw e;
    });
    if (kind === "suite") {
      if (!(await has(dir, SUITE_FILES.suite))) {
        throw new Deno.errors.NotFound(`No suite '${id}' (it has no ${SUITE_FILES.suite})`);
      }
      return await suiteDetail(root, id, dir);
    }
    if (kind === "sweep") {
      if (!(await has(dir, SWEEP_FILES.sweep))) {
        throw new Deno.errors.NotFound(`No sweep '${id}' (it has no ${SWEEP_FILES.sweep})`);
      }
      return await sweepDetail(root, id, dir);
    }
    if (!(await isRunDir(dir))) {
      const markers = RUN_MARKERS.map((f) => RUN_FILES[f]);
      throw new Deno.errors.NotFound(`No run '${id}' (it holds none of ${markers.join(", ")})`);
    }
    const parent = idParts.length > 1 ? idParts.slice(0, -1).join("/") : null;
    const suite = parent && (await has(dirname(dir), SUITE_FILES.suite)) ? parent : null;
    return await runDetail(id, dir, suite);
  }
  throw new Deno.errors.NotFound(`No such page: /${segments.join("/")}`);
}
