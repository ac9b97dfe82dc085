/**
 * The paper's Table I (Model, Test Acc., Train Time (min), Params) extended
 * with epochs run, best epoch, seconds per epoch, peak memory and the
 * first-to-last layer gradient-norm ratio (the vanishing-gradient measure).
 * @module
 */
import * as aq from "arquero";
import type { ColumnTable } from "arquero";
import { join } from "node:path";
import { SUITE_FILES, writeFileAtomic } from "../rundir/mod.ts";
import type { RunData } from "./run_files.ts";
import { formatCell, markdownTable } from "./table_format.ts";
import { layerNormTable, writeTable } from "./tables.ts";

/** Columns of {@link paperTable}, in order. */
export const PAPER_COLUMNS: readonly string[] = [
  "Model",
  "Test Acc.",
  "Train Time (min)",
  "Params",
  "Epochs",
  "Best Epoch",
  "Seconds/Epoch",
  "Peak Memory (MB)",
  "Grad Ratio (first/last, final weights)",
];

/**
 * Gradient norm of the first main-path layer (depth 0, the stem) over that of
 * the last (the classifier), both at point `final` (one batch with the final
 * weights) by default, or at `init`; NaN without such rows. Below 1 means
 * gradients shrink on their way to the input.
 */
export function gradientRatio(run: RunData, point: "init" | "final" = "final"): number {
  const rows = layerNormTable([run], { point }).objects() as {
    depth: number;
    norm: number;
  }[];
  if (rows.length === 0) return NaN;
  const first = rows.reduce((a, b) => (b.depth < a.depth ? b : a));
  const last = rows.reduce((a, b) => (b.depth > a.depth ? b : a));
  return last.norm === 0 ? NaN : first.norm / last.norm;
}

function fromHistory(run: RunData) {
  const h = run.history;
  const n = h.numRows();
  const val = n === 0 ? [] : Array.from(h.array("val_loss") as ArrayLike<number>);
  const secs = n === 0 ? [] : Array.from(h.array("seconds") as ArrayLike<number>);
  const mem = n === 0 ? [] : Array.from(h.array("memory_mb") as ArrayLike<number>);
  let best = NaN;
  val.forEach((v, i) => {
    if (Number.isFinite(v) && !(val[best] <= v)) best = i;
  });
  const total = secs.reduce((a, b) => a + b, 0);
  return {
    epochs: n,
    best: Number.isNaN(best) ? NaN : (h.array("epoch") as ArrayLike<number>)[best],
    minutes: total / 60,
    perEpoch: n === 0 ? NaN : total / n,
    memory: mem.length === 0 ? NaN : Math.max(...mem),
  };
}

/**
 * One row per run in the columns of {@link PAPER_COLUMNS}. Numbers come from
 * summary.json (Test Acc. is the fraction `test_acc`, Params the trainable
 * count); a run without summary.json takes epochs, best epoch (lowest
 * val_loss), minutes, seconds per epoch and peak memory from history.csv and
 * NaN for the rest. The ratio comes from gradients.csv ({@link gradientRatio}).
 * @example
 * ```ts
 * import { paperTable } from "./paper_table.ts";
 * paperTable([]).numRows(); // 0
 * ```
 */
export function paperTable(runs: readonly RunData[]): ColumnTable {
  if (!Array.isArray(runs)) {
    throw new TypeError(`Cannot build Table I: 'runs' must be an array, got ${typeof runs}`);
  }
  const rows = runs.map((run) => {
    const s = run.summary, h = fromHistory(run);
    return [
      run.name,
      s?.test_acc ?? NaN,
      s?.train_minutes ?? h.minutes,
      s?.trainable_params ?? NaN,
      s?.epochs_run ?? h.epochs,
      s?.best_epoch ?? h.best,
      s?.seconds_per_epoch ?? h.perEpoch,
      s?.peak_memory_mb ?? h.memory,
      gradientRatio(run),
    ];
  });
  return aq.table(Object.fromEntries(PAPER_COLUMNS.map((c, j) => [c, rows.map((r) => r[j])])));
}

const fixed = (digits: number) => (v: unknown): string =>
  typeof v === "number" && Number.isFinite(v) ? v.toFixed(digits) : "—";

/** How Table I's columns are written as text: accuracy in percent, parameters with thousands separators. */
export const PAPER_FORMATS: Readonly<Record<string, (value: unknown) => string>> = {
  "Test Acc.": (
    v,
  ) => (typeof v === "number" && Number.isFinite(v) ? `${(v * 100).toFixed(2)}%` : "—"),
  "Train Time (min)": fixed(2),
  "Params": (v) => (typeof v === "number" && Number.isFinite(v) ? v.toLocaleString("en-US") : "—"),
  "Seconds/Epoch": fixed(2),
  "Peak Memory (MB)": fixed(1),
  "Grad Ratio (first/last, final weights)": (v) =>
    typeof v === "number" && Number.isFinite(v) ? formatCell(Number(v.toPrecision(3)), 6) : "—",
};

/** Table I as Markdown, formatted with {@link PAPER_FORMATS}. */
export function paperMarkdown(table: ColumnTable): string {
  return markdownTable(table, { formats: PAPER_FORMATS });
}

/**
 * Writes `table.csv` (raw numbers) and `table.md` (Table I formatted, see {@link paperMarkdown}) into `dir`.
 * @returns The paths written.
 */
export async function writePaperTable(dir: string, table: ColumnTable): Promise<string[]> {
  const missing = PAPER_COLUMNS.filter((c) => !table.columnNames().includes(c));
  if (missing.length > 0) {
    throw new RangeError(
      `Cannot write Table I to '${dir}': the table lacks column(s) ${missing.join(", ")}`,
    );
  }
  const csv = join(dir, SUITE_FILES.table), md = join(dir, SUITE_FILES.tableMarkdown);
  await writeTable(table, csv);
  await writeFileAtomic(md, "# Table I: model comparison\n\n" + paperMarkdown(table));
  return [csv, md];
}
