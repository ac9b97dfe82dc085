/**
 * Arquero tables built from runs: epoch history, gradient norms, per-layer
 * mean gradient norms, the class report and run summaries; written as CSV or JSON.
 * @module
 */
import * as aq from "arquero";
import type { ColumnTable } from "arquero";
import { dirname } from "node:path";
import type { ClassReportRow } from "./metrics.ts";
import { GRADIENT_COLUMNS, writeFileAtomic } from "../rundir/mod.ts";
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
    aq.table(Object.fromEntries(["run", ...GRADIENT_COLUMNS].map((c) => [c, []]))),
  );
}

/** Which rows {@link layerNormTable} uses. */
export interface LayerNormOptions {
  /**
   * `init`: the first batch, before any update; `final`: one batch with the
   * final weights (the paper's "after training"); `last_epoch`: the mean over
   * the last recorded epoch; `epochs`: the mean over every epoch.
   * @default "final"
   */
  readonly point?: "init" | "final" | "last_epoch" | "epochs";
  /** `main` (the depth axis every variant shares) or `shortcut` (projection shortcuts). @default "main" */
  readonly path?: "main" | "shortcut";
}

/**
 * Mean gradient L2 norm per run and layer (columns run, depth, layer, norm)
 * at one point of the runs and on one path, ordered by run then depth. For
 * the epoch points, an epoch that has epoch-average rows (step -1) uses only
 * those, so steps are not counted twice; non-finite norms are skipped.
 * @example
 * ```ts
 * import { layerNormTable } from "./tables.ts";
 * layerNormTable([], { point: "init" }).columnNames(); // ["run", "depth", "layer", "norm"]
 * ```
 */
export function layerNormTable(
  runs: readonly RunData[],
  options: LayerNormOptions = {},
): ColumnTable {
  const { point = "final", path = "main" } = options;
  const parts: ColumnTable[] = [];
  for (const run of runs) {
    const g = run.gradients;
    if (g.numRows() === 0) continue;
    const epoch = g.array("epoch") as ArrayLike<number>,
      step = g.array("step") as ArrayLike<number>;
    const norm = g.array("norm") as ArrayLike<number>;
    const points = g.array("point") as ArrayLike<string>,
      paths = g.array("path") as ArrayLike<string>;
    const perEpoch = point === "last_epoch" || point === "epochs";
    const averaged = new Set<number>();
    let last = -Infinity;
    for (let i = 0; i < g.numRows(); i++) {
      if (points[i] !== "epoch") continue;
      if (step[i] === -1) averaged.add(epoch[i]);
      if (Number.isFinite(epoch[i])) last = Math.max(last, epoch[i]);
    }
    const keep = Array.from({ length: g.numRows() }, (_, i) => {
      if (!Number.isFinite(norm[i]) || paths[i] !== path) return false;
      if (!perEpoch) return points[i] === point;
      return points[i] === "epoch" && (point === "epochs" || epoch[i] === last) &&
        (averaged.has(epoch[i]) ? step[i] === -1 : true);
    });
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
