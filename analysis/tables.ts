/**
 * Arquero tables built from runs: epoch history, gradient norms, per-layer
 * mean gradient norms, the class report and run summaries; written as CSV or JSON.
 * @module
 */
import * as aq from "arquero";
import type { ColumnTable } from "arquero";
import { dirname } from "node:path";
import type { ClassReportRow } from "./metrics.ts";
import { writeFileAtomic } from "../rundir/mod.ts";
import type { RunData } from "./run_files.ts";

export { formatTable, markdownTable } from "./table_format.ts";

function withRun(run: RunData, table: ColumnTable): ColumnTable {
  const names = new Array<string>(table.numRows()).fill(run.name);
  return aq.table({ run: names }).assign(table);
}

function stack(tables: ColumnTable[], empty: ColumnTable): ColumnTable {
  return tables.length === 0 ? empty : tables.reduce((a, b) => a.concat(b));
}

/**
 * The epoch history of several runs in one table, with a leading `run` column.
 * @example
 * ```ts
 * import { historyTable } from "./tables.ts";
 * historyTable([]).numRows(); // 0
 * ```
 */
export function historyTable(runs: readonly RunData[]): ColumnTable {
  return stack(
    runs.map((r) => withRun(r, r.history)),
    aq.table({ run: [], epoch: [], loss: [], acc: [], val_loss: [], val_acc: [], lr: [] }),
  );
}

/** Every gradient-norm row of several runs, with a leading `run` column. */
export function gradientTable(runs: readonly RunData[]): ColumnTable {
  return stack(
    runs.map((r) => withRun(r, r.gradients)),
    aq.table({ run: [], epoch: [], step: [], layer: [], depth: [], norm: [] }),
  );
}

/** Which epochs {@link layerNormTable} averages over. */
export interface LayerNormOptions {
  /**
   * Only the last epoch that has gradient rows (the paper's "after training").
   * @default false
   */
  readonly lastEpoch?: boolean;
}

/**
 * Mean gradient L2 norm per run and layer (columns run, depth, layer, norm),
 * ordered by run then depth. In an epoch that has epoch-average rows (step -1)
 * only those are used, so steps are not counted twice; non-finite norms are skipped.
 * @example
 * ```ts
 * import { layerNormTable } from "./tables.ts";
 * layerNormTable([], { lastEpoch: true }).columnNames(); // ["run", "depth", "layer", "norm"]
 * ```
 */
export function layerNormTable(
  runs: readonly RunData[],
  options: LayerNormOptions = {},
): ColumnTable {
  const parts: ColumnTable[] = [];
  for (const run of runs) {
    const g = run.gradients;
    if (g.numRows() === 0) continue;
    const epoch = g.array("epoch") as ArrayLike<number>,
      step = g.array("step") as ArrayLike<number>;
    const norm = g.array("norm") as ArrayLike<number>;
    const averaged = new Set<number>();
    for (let i = 0; i < g.numRows(); i++) if (step[i] === -1) averaged.add(epoch[i]);
    const last = Math.max(...Array.from(epoch).filter(Number.isFinite));
    const keep = Array.from(
      { length: g.numRows() },
      (_, i) =>
        Number.isFinite(norm[i]) && (!options.lastEpoch || epoch[i] === last) &&
        (averaged.has(epoch[i]) ? step[i] === -1 : true),
    );
    const rows = g.assign({ keep }).filter((d: { keep: boolean }) => d.keep);
    if (rows.numRows() === 0) continue;
    const means = rows.groupby("depth").rollup({
      layer: aq.op.any("layer"),
      norm: aq.op.mean("norm"),
    })
      .orderby("depth");
    parts.push(withRun(run, means));
  }
  return stack(parts, aq.table({ run: [], depth: [], layer: [], norm: [] }));
}

/**
 * A classification report (rows of {@link ClassReportRow}) as a table:
 * class, precision, recall, f1, support.
 */
export function classReportTable(rows: readonly ClassReportRow[]): ColumnTable {
  return aq.from(rows.map((r) => ({ ...r }))).select(
    "class",
    "precision",
    "recall",
    "f1",
    "support",
  );
}

/** Columns of {@link summaryTable}, in order. */
export const SUMMARY_COLUMNS: readonly string[] = [
  "name",
  "model",
  "backend",
  "params",
  "trainable_params",
  "epochs_run",
  "best_epoch",
  "test_acc",
  "test_loss",
  "train_minutes",
  "seconds_per_epoch",
  "peak_memory_mb",
  "stopped_reason",
  "started_at",
  "ended_at",
];

/** One row per run that has a summary.json, with the columns of {@link SUMMARY_COLUMNS}. */
export function summaryTable(runs: readonly RunData[]): ColumnTable {
  const rows = runs.flatMap((r) => (r.summary ? [r.summary] : []));
  const cols = Object.fromEntries(
    SUMMARY_COLUMNS.map((c) => [c, rows.map((s) => (s as unknown as Record<string, unknown>)[c])]),
  );
  return aq.table(cols);
}

/**
 * Writes a table as CSV (`.csv`) or as a JSON array of row objects (`.json`),
 * creating the parent directory. NaN is written as an empty CSV cell and as JSON null.
 * @throws {RangeError} for any other file extension.
 */
export async function writeTable(table: ColumnTable, path: string): Promise<void> {
  let text: string;
  if (path.endsWith(".csv")) {
    const names = table.columnNames();
    const clean = table.derive(
      Object.fromEntries(
        names.map((n) => [n, aq.escape((d: Record<string, unknown>) => nanToNull(d[n]))]),
      ),
    );
    text = clean.toCSV();
  } else if (path.endsWith(".json")) {
    text = JSON.stringify(
      table.objects().map((o) =>
        Object.fromEntries(Object.entries(o).map(([k, v]) => [k, nanToNull(v)]))
      ),
      null,
      1,
    );
  } else {
    throw new RangeError(
      `Cannot write table to '${path}': the file name must end in .csv or .json`,
    );
  }
  await Deno.mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, text.endsWith("\n") ? text : text + "\n");
}

function nanToNull(v: unknown): unknown {
  return typeof v === "number" && !Number.isFinite(v) ? null : v;
}
