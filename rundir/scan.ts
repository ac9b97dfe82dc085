/**
 * Finding the run, suite and sweep directories under a folder (`runs/`), without
 * leaving it: a symbolic link is followed only when its target lies inside
 * the folder too.
 * @module
 */
import { join, relative, resolve, sep as SEPARATOR } from "node:path";
import { RUN_FILES, SUITE_FILES } from "./layout.ts";
import { RUN_MARKERS } from "./run_files.ts";
import { SWEEP_FILES } from "./sweep.ts";

/** A run, suite or sweep directory found under a root. */
export interface FoundDir {
  /** Path relative to the root, `/`-separated (the directory's id). */
  readonly id: string;
  /** Absolute path. */
  readonly path: string;
  /**
   * `suite` (holds suite.json), `sweep` (holds sweep.json) or `run` (holds
   * config.yaml, history.csv or summary.json).
   */
  readonly kind: "run" | "suite" | "sweep";
  /** Id of the suite directory this one is inside, if any. */
  readonly suite?: string;
  /** Id of the sweep directory this one is a member of, if any. */
  readonly sweep?: string;
}

/** Temporary siblings the atomic writers leave while they work (rundir/atomic.ts). */
const TEMPORARY = /\.(tmp|new|old)-\d+$/;

/** Whether `path` is `root` or below it (both absolute and real). */
export function isInside(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith(SEPARATOR) ? root : root + SEPARATOR);
}

/**
 * Run, suite and sweep directories under `root`, depth first, sorted by path.
 * A run's own folders (checkpoints, figures) are not searched; a suite's and
 * a sweep's are.
 * Links that point outside `root` and the atomic writers' temporary folders
 * are skipped.
 * @throws {Deno.errors.NotFound} when `root` does not exist.
 */
export async function findRunDirs(root: string, maxDepth = 4): Promise<FoundDir[]> {
  const real = await Deno.realPath(resolve(root));
  const out: FoundDir[] = [];
  const seen = new Set<string>();
  type Parent = { suite?: string; sweep?: string };
  async function walk(dir: string, depth: number, parent: Parent): Promise<void> {
    const entries: Deno.DirEntry[] = [];
    for await (const e of Deno.readDir(dir)) {
      if (e.name.startsWith(".") || TEMPORARY.test(e.name)) continue;
      if (e.isDirectory || e.isSymlink) entries.push(e);
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const { name, isSymlink } of entries) {
      // `dir` is a real path, so only a link needs resolving (and checking) to know where it leads.
      const target = isSymlink
        ? await Deno.realPath(join(dir, name)).catch(() => undefined)
        : join(dir, name);
      if (!target || !isInside(real, target) || seen.has(target)) continue;
      if (isSymlink && !(await Deno.stat(target)).isDirectory) continue;
      seen.add(target);
      const has = (f: string) => Deno.stat(join(target, f)).then(() => true, () => false);
      const id = relative(real, join(dir, name)).split(SEPARATOR).join("/");
      if (await has(SUITE_FILES.suite)) {
        out.push({ id, path: target, kind: "suite", ...parent });
        if (depth < maxDepth) await walk(target, depth + 1, { suite: id });
      } else if (await has(SWEEP_FILES.sweep)) {
        out.push({ id, path: target, kind: "sweep", ...parent });
        if (depth < maxDepth) await walk(target, depth + 1, { sweep: id });
      } else if ((await Promise.all(RUN_MARKERS.map((f) => has(RUN_FILES[f])))).some(Boolean)) {
        out.push({ id, path: target, kind: "run", ...parent });
      } else if (depth < maxDepth) {
        await walk(target, depth + 1, parent);
      }
    }
  }
  await walk(real, 1, {});
  return out;
}
