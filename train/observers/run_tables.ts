/**
 * The observer that writes history.csv and every table plugins record.
 * @module
 */
import { numberEpochs } from "../../rundir/epochs.ts";
import { writeHistory, writeRecordedTable } from "../../rundir/tables.ts";
import type { Plugin } from "../hooks.ts";
import type { EpochMetrics, Row } from "../types.ts";

/**
 * Writes `history.csv` and `<table>.csv` for every table plugins record
 * (gradients, timing, …) into `dir`, atomically, after each epoch and at the
 * end of the run (interrupted runs included, so rows recorded during a cut
 * epoch are kept). Put it after the plugins whose rows it writes, so each
 * epoch's files hold that epoch's rows. The trainer's and the plugins'
 * epochs (from 0) are written numbered from 1, as a person reads them.
 *
 * @example
 * ```ts ignore
 * await train({ ...options, runDir: dir, plugins: [...plugins, runTables(dir)] });
 * ```
 */
export function runTables(dir: string): Plugin {
  const flush = async (
    history: readonly EpochMetrics[],
    tables: Readonly<Record<string, readonly Row[]>>,
  ) => {
    await writeHistory(dir, numberEpochs(history));
    for (const [name, rows] of Object.entries(tables)) {
      await writeRecordedTable(dir, name, numberEpochs(rows));
    }
  };
  return {
    name: "observers/run-tables",
    onEpochEnd: (_metrics, ctx) => flush(ctx.history(), ctx.tables()),
    onRunEnd: (end) => flush(end.history, end.tables),
  };
}
