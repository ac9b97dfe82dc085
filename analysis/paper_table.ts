/**
 * The paper's Table I (Model, Test Acc., Train Time (min), Params), one row
 * per setting over its seeds (mean, sample standard deviation and n), with
 * the paper's own numbers beside skiplab's, extended with epochs run, best
 * epoch, seconds per epoch, peak memory and the first-to-last layer
 * gradient-norm ratio (the vanishing-gradient measure).
 * @module
 */
import * as aq from "arquero";
import type { ColumnTable } from "arquero";
import { join } from "node:path";
import { SUITE_FILES, writeFileAtomic } from "../rundir/mod.ts";
import { PAPER_TABLE, paperKey } from "./paper_reference.ts";
import type { RunData } from "./run_files.ts";
import { mean, median, sampleStd } from "./stats.ts";
import { formatCell, formatTable, markdownTable } from "./table_format.ts";
import { layerNormTable, writeTable } from "./tables.ts";
import { maxOf, minOf } from "../core/extent.ts";

/** The gradient-ratio column's name (it says which point of the run it uses). */
const RATIO = "Grad Ratio (first/last, final weights)";

/** Columns of {@link paperTable}, in order. */
export const PAPER_COLUMNS: readonly string[] = [
  "Model",
  "n",
  "Test Acc.",
  "Test Acc. SD",
  "Paper Test Acc.",
  "Train Time (min)",
  "Paper Train Time (min)",
  "Params",
  "Epochs",
  "Best Epoch",
  "Best Epoch Min",
  "Best Epoch Max",
  "Seconds/Epoch",
  "Peak Memory (MB)",
  RATIO,
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
    memory: mem.length === 0 ? NaN : maxOf(mem),
  };
}

/** One run's numbers, by column (summary.json first, history.csv for what it lacks). */
function runNumbers(run: RunData): Record<string, number> {
  const s = run.summary, h = fromHistory(run);
  return {
    "Test Acc.": s?.test_acc ?? NaN,
    "Train Time (min)": s?.train_minutes ?? h.minutes,
    "Params": s?.trainable_params ?? NaN,
    "Epochs": s?.epochs_run ?? h.epochs,
    "Best Epoch": s?.best_epoch ?? h.best,
    "Seconds/Epoch": s?.seconds_per_epoch ?? h.perEpoch,
    "Peak Memory (MB)": s?.peak_memory_mb ?? h.memory,
    [RATIO]: gradientRatio(run),
  };
}

const finite = (xs: readonly number[]) => xs.filter(Number.isFinite);

/** Which setting each run is a seed of (Table I and the figures group runs by it). */
export interface SettingOptions {
  /**
   * The setting each run is a seed of (suite.json records it); runs of one
   * setting make one row. @default each run's name
   */
  readonly settings?: readonly string[];
}

/**
 * Runs grouped by setting, in the order settings first appear.
 * @throws {RangeError} when `settings` does not give one setting per run.
 */
export function groupBySetting(
  runs: readonly RunData[],
  settings?: readonly string[],
): { setting: string; runs: RunData[] }[] {
  if (settings !== undefined && settings.length !== runs.length) {
    throw new RangeError(
      `Cannot group runs by setting: 'settings' must give one per run (${runs.length}), ` +
        `got ${settings.length}`,
    );
  }
  const groups = new Map<string, RunData[]>();
  runs.forEach((run, i) => {
    const key = settings?.[i] ?? run.name;
    groups.set(key, [...(groups.get(key) ?? []), run]);
  });
  return [...groups].map(([setting, runs]) => ({ setting, runs }));
}

/**
 * One row per setting in the columns of {@link PAPER_COLUMNS}. A run's
 * numbers come from summary.json (Test Acc. is the fraction `test_acc`,
 * Params the trainable count); a run without summary.json takes epochs, best
 * epoch (lowest val_loss), minutes, seconds per epoch and peak memory from
 * history.csv and NaN for the rest; the ratio comes from gradients.csv
 * ({@link gradientRatio}). A setting's row holds the mean over its runs of
 * each column (non-finite values left out), `n` the runs with a test
 * accuracy and `Test Acc. SD` their sample standard deviation (NaN below
 * two); `Best Epoch` (numbered from 1) is the median of its runs' best
 * epochs, `Best Epoch Min` and `Best Epoch Max` their range. The paper's columns are its Table I row for the model (NaN for a
 * model it does not have).
 * @example
 * ```ts
 * import { paperTable } from "./paper_table.ts";
 * paperTable([]).numRows(); // 0
 * ```
 */
export function paperTable(
  runs: readonly RunData[],
  options: SettingOptions = {},
): ColumnTable {
  if (!Array.isArray(runs)) {
    throw new TypeError(`Cannot build Table I: 'runs' must be an array, got ${typeof runs}`);
  }
  const rows = groupBySetting(runs, options.settings).map(({ setting, runs }) => {
    const numbers = runs.map(runNumbers);
    const col = (c: string) => mean(finite(numbers.map((n) => n[c])));
    const accs = finite(numbers.map((n) => n["Test Acc."]));
    // An epoch is a count, not a measure: the middle seed's, with the seeds' range beside it.
    const bestEpochs = finite(numbers.map((n) => n["Best Epoch"]));
    const key = runs.map(paperKey).find((k) => k !== undefined);
    const paper = key === undefined ? undefined : PAPER_TABLE[key];
    return {
      "Model": setting,
      "n": accs.length,
      "Test Acc.": mean(accs),
      "Test Acc. SD": sampleStd(accs),
      "Paper Test Acc.": paper?.testAcc ?? NaN,
      "Train Time (min)": col("Train Time (min)"),
      "Paper Train Time (min)": paper?.trainMinutes ?? NaN,
      "Params": col("Params"),
      "Epochs": col("Epochs"),
      "Best Epoch": median(bestEpochs),
      "Best Epoch Min": bestEpochs.length ? minOf(bestEpochs) : NaN,
      "Best Epoch Max": bestEpochs.length ? maxOf(bestEpochs) : NaN,
      "Seconds/Epoch": col("Seconds/Epoch"),
      "Peak Memory (MB)": col("Peak Memory (MB)"),
      [RATIO]: col(RATIO),
    } as Record<string, unknown>;
  });
  return aq.table(Object.fromEntries(PAPER_COLUMNS.map((c) => [c, rows.map((r) => r[c])])));
}

const ok = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
const fixed = (digits: number) => (v: unknown): string => ok(v) ? v.toFixed(digits) : "—";
const percent = (v: unknown) => ok(v) ? `${(v * 100).toFixed(2)}%` : "—";

/**
 * Table I as text cells: accuracy in percent with ± its standard deviation
 * in points (when n ≥ 2), parameters with thousands separators, the best
 * epoch's median with the seeds' range when they differ (`12.5 (11–14)`);
 * the SD column is folded into Test Acc., the range into Best Epoch.
 */
export function paperDisplay(table: ColumnTable): ColumnTable {
  const rows = table.objects() as Record<string, unknown>[];
  const cell: Record<string, (r: Record<string, unknown>) => string> = {
    "Model": (r) => String(r["Model"]),
    "n": (r) => formatCell(r["n"]),
    "Test Acc.": (r) =>
      percent(r["Test Acc."]) +
      (ok(r["Test Acc. SD"]) ? ` ± ${(r["Test Acc. SD"] * 100).toFixed(2)}` : ""),
    "Paper Test Acc.": (r) =>
      ok(r["Paper Test Acc."]) ? `${(r["Paper Test Acc."] * 100).toFixed(1)}%` : "—",
    "Train Time (min)": (r) => fixed(2)(r["Train Time (min)"]),
    "Paper Train Time (min)": (r) => formatCell(r["Paper Train Time (min)"]),
    "Params": (r) => ok(r["Params"]) ? Math.round(r["Params"]).toLocaleString("en-US") : "—",
    "Epochs": (r) => formatCell(r["Epochs"], 1),
    "Best Epoch": (r) =>
      formatCell(r["Best Epoch"], 1) +
      (ok(r["Best Epoch Min"]) && ok(r["Best Epoch Max"]) &&
          r["Best Epoch Min"] !== r["Best Epoch Max"]
        ? ` (${r["Best Epoch Min"]}–${r["Best Epoch Max"]})`
        : ""),
    "Seconds/Epoch": (r) => fixed(2)(r["Seconds/Epoch"]),
    "Peak Memory (MB)": (r) => fixed(1)(r["Peak Memory (MB)"]),
    [RATIO]: (r) => ok(r[RATIO]) ? formatCell(Number(r[RATIO].toPrecision(3)), 6) : "—",
  };
  return aq.table(
    Object.fromEntries(Object.entries(cell).map(([c, f]) => [c, rows.map(f)])),
  );
}

/** Table I as Markdown ({@link paperDisplay}). */
export function paperMarkdown(table: ColumnTable): string {
  return markdownTable(paperDisplay(table));
}

/** Table I as aligned terminal text ({@link paperDisplay}). */
export function paperText(table: ColumnTable): string {
  return formatTable(paperDisplay(table));
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
  await writeFileAtomic(
    md,
    "# Table I: model comparison\n\n" +
      "Test Acc. is the mean over the n seeds of a setting ± their sample standard deviation " +
      "(percentage points); Best Epoch (numbered from 1) is their median, with their range " +
      "when they differ; the paper's columns are its own Table I.\n\n" + paperMarkdown(table),
  );
  return [csv, md];
}
