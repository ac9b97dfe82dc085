/**
 * A run directory as analysis sees it: the files read through the
 * run-directory module (rundir/), history and gradients as Arquero tables.
 * @module
 */
import * as aq from "arquero";
import type { ColumnTable } from "arquero";
import {
  type ClassRow,
  type ConfusionData,
  GRADIENT_COLUMNS,
  HISTORY_COLUMNS,
  readRunFiles,
  type RunSummary,
} from "../rundir/mod.ts";

/** Everything analysis needs from one run directory. */
export interface RunData {
  /** The run directory. */
  readonly dir: string;
  /** The run's name (summary.json `name`, else the directory name). */
  readonly name: string;
  /** summary.json, if present. */
  readonly summary: RunSummary | undefined;
  /** history.csv; no rows when the file is missing. */
  readonly history: ColumnTable;
  /** gradients.csv; no rows when the file is missing. */
  readonly gradients: ColumnTable;
  /** confusion.csv, if present. */
  readonly confusion: ConfusionData | undefined;
  /** classes.csv, if present. */
  readonly classes?: readonly ClassRow[];
}

/** A table with `columns` from rows (no rows: the columns, empty). */
function tableOf(rows: readonly object[], columns: readonly string[]): ColumnTable {
  const cols = [...new Set([...columns, ...rows.flatMap((r) => Object.keys(r))])];
  return aq.table(
    Object.fromEntries(cols.map((c) => [c, rows.map((r) => (r as Record<string, unknown>)[c])])),
  );
}

/** Empty history table with the run directory's history columns. */
export function emptyHistory(): ColumnTable {
  return tableOf([], HISTORY_COLUMNS);
}

/**
 * Reads a run directory; history.csv or summary.json must exist, the other files are optional.
 * @throws {Deno.errors.NotFound} when the directory holds neither history.csv nor summary.json.
 * @throws {SyntaxError} when a file does not have its format.
 */
export async function readRun(dir: string): Promise<RunData> {
  const files = await readRunFiles(dir);
  return {
    dir,
    name: files.name,
    summary: files.summary,
    history: tableOf(files.history, HISTORY_COLUMNS),
    gradients: tableOf(files.gradients, GRADIENT_COLUMNS),
    confusion: files.confusion,
    classes: files.classes,
  };
}
