/**
 * Pieces the figure modules share: the check of their runs argument and the
 * colour encoding of one line per setting.
 * @module
 */
import type { RunData } from "./run_files.ts";

/** The colour encoding of figures with one line per setting (field `run`). */
export function runColor(names: readonly string[]): Record<string, unknown> {
  return {
    field: "run",
    type: "nominal",
    title: "setting",
    scale: { domain: names, scheme: "category10" },
  };
}

/** Throws a RangeError unless `runs` holds at least one run. */
export function checkRuns(runs: readonly RunData[], what: string): void {
  if (!Array.isArray(runs) || runs.length === 0) {
    throw new RangeError(
      `Cannot draw ${what}: 'runs' must hold at least one run, got ${runs?.length ?? runs}`,
    );
  }
}
