/**
 * Readers for the files of a run directory (history.csv, gradients.csv,
 * confusion.csv, summary.json), checked against the columns the trainer writes.
 * @module
 */
import * as aq from "arquero";
import type { ColumnTable } from "arquero";
import { join } from "node:path";

import { HISTORY_COLUMNS } from "../train/types.ts";

/** Columns of history.csv, in the order the trainer writes them (the file format, from `train/types.ts`). */
export { HISTORY_COLUMNS };
/** Columns of gradients.csv; `step` -1 marks an epoch average. */
export const GRADIENT_COLUMNS: readonly string[] = ["epoch", "step", "layer", "depth", "norm"];

/** The contents of summary.json. */
export interface RunSummary {
  /** Run name, e.g. `resnet18_noskip`. */
  readonly name: string;
  /** Registered architecture, e.g. `resnet18`. */
  readonly model: string;
  /** tfjs backend that trained it. */
  readonly backend: string;
  /** All parameters (Keras-style, with batch-norm statistics). */
  readonly params: number;
  /** Trainable parameters. */
  readonly trainable_params: number;
  /** Epochs trained. */
  readonly epochs_run: number;
  /** Epoch of the best validation loss (0-based). */
  readonly best_epoch: number;
  /** Test accuracy, a fraction. */
  readonly test_acc: number;
  /** Test loss. */
  readonly test_loss: number;
  /** Training wall time in minutes. */
  readonly train_minutes: number;
  /** Mean seconds per epoch. */
  readonly seconds_per_epoch: number;
  /** Peak memory in MB. */
  readonly peak_memory_mb: number;
  /** Why training stopped (`max_epochs`, `early_stopping`, …). */
  readonly stopped_reason: string;
  /** Class names, index order. */
  readonly class_names: readonly string[];
  /** ISO time the run started. */
  readonly started_at: string;
}

/** A confusion matrix with its class names (rows actual, columns predicted). */
export interface ConfusionData {
  /** Class names, index order. */
  readonly classNames: readonly string[];
  /** Counts: row = actual class, column = predicted class. */
  readonly matrix: readonly (readonly number[])[];
}

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
}

const toNumber = (s: string): number => (s.trim() === "" ? NaN : Number(s));

async function readCsv(
  path: string,
  numeric: readonly string[],
  text?: readonly string[],
): Promise<ColumnTable> {
  const raw = await Deno.readTextFile(path);
  const header = raw.split(/\r?\n/, 1)[0].split(",").map((s) => s.trim());
  const missing = [...numeric, ...(text ?? [])].filter((c) => !header.includes(c));
  if (missing.length > 0) {
    throw new SyntaxError(
      `Cannot read '${path}': missing column(s) ${missing.join(", ")}; header is '${
        header.join(",")
      }'`,
    );
  }
  const parse = Object.fromEntries(numeric.map((c) => [c, toNumber]));
  for (const c of text ?? []) parse[c] = (s: string) => s as unknown as number;
  const t = aq.fromCSV(raw, { parse });
  // Empty cells parse to null; NaN keeps them numeric for charts and means.
  const cols: Record<string, unknown[]> = {};
  for (const c of t.columnNames()) {
    const values = t.array(c) as unknown[];
    cols[c] = numeric.includes(c)
      ? Array.from(values, (v) => (v == null ? NaN : v))
      : Array.from(values);
  }
  return aq.table(cols);
}

/** Empty history table with the trainer's columns. */
export function emptyHistory(): ColumnTable {
  return aq.table(Object.fromEntries(HISTORY_COLUMNS.map((c) => [c, []])));
}

/**
 * Reads history.csv: one row per epoch, numbers (empty cells become NaN).
 * @throws {SyntaxError} when a column of {@link HISTORY_COLUMNS} is missing.
 */
export function readHistory(path: string): Promise<ColumnTable> {
  return readCsv(path, HISTORY_COLUMNS);
}

/**
 * Reads gradients.csv: epoch, step, layer (text), depth, norm.
 * @throws {SyntaxError} when a column of {@link GRADIENT_COLUMNS} is missing.
 */
export function readGradients(path: string): Promise<ColumnTable> {
  return readCsv(path, ["epoch", "step", "depth", "norm"], ["layer"]);
}

/**
 * Reads confusion.csv: first column `actual` (class names), then one column per predicted class.
 * @throws {SyntaxError} when the header or rows do not form a square matrix of counts.
 */
export async function readConfusion(path: string): Promise<ConfusionData> {
  const lines = (await Deno.readTextFile(path)).split(/\r?\n/).filter((l) => l.trim() !== "");
  const header = (lines[0] ?? "").split(",").map((s) => s.trim());
  if (header[0] !== "actual") {
    throw new SyntaxError(
      `Cannot read '${path}': the first column must be 'actual', got '${header[0] ?? ""}'`,
    );
  }
  const classNames = header.slice(1);
  const matrix = lines.slice(1).map((line, i) => {
    const cells = line.split(",").map((s) => s.trim());
    const counts = cells.slice(1).map(Number);
    if (
      cells[0] !== classNames[i] || counts.length !== classNames.length ||
      counts.some((v) => !Number.isInteger(v) || v < 0)
    ) {
      throw new SyntaxError(
        `Cannot read '${path}': row ${i + 2} must be '${
          classNames[i]
        }' then ${classNames.length} counts, got '${line}'`,
      );
    }
    return counts;
  });
  if (matrix.length !== classNames.length) {
    throw new SyntaxError(
      `Cannot read '${path}': expected ${classNames.length} rows of counts, got ${matrix.length}`,
    );
  }
  return { classNames, matrix };
}

const SUMMARY_NUMBERS = [
  "params",
  "trainable_params",
  "epochs_run",
  "best_epoch",
  "test_acc",
  "test_loss",
  "train_minutes",
  "seconds_per_epoch",
  "peak_memory_mb",
] as const;
const SUMMARY_STRINGS = ["name", "model", "backend", "stopped_reason", "started_at"] as const;

/**
 * Reads summary.json and checks its keys and their types (numbers may be null for "not measured": read as NaN).
 * @throws {SyntaxError} for invalid JSON or a missing or mistyped key.
 */
export async function readSummary(path: string): Promise<RunSummary> {
  const text = await Deno.readTextFile(path);
  let data: Record<string, unknown>;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new SyntaxError(`Cannot read '${path}': invalid JSON (${(e as Error).message})`);
  }
  const fail = (key: string, rule: string): never => {
    throw new SyntaxError(
      `Cannot read '${path}': '${key}' must be ${rule}, got ${JSON.stringify(data[key])}`,
    );
  };
  if (typeof data !== "object" || data === null) fail("(root)", "an object");
  const out: Record<string, unknown> = { ...data };
  for (const k of SUMMARY_NUMBERS) {
    if (data[k] === null) out[k] = NaN;
    else if (typeof data[k] !== "number") fail(k, "a number");
  }
  for (const k of SUMMARY_STRINGS) if (typeof data[k] !== "string") fail(k, "a string");
  const names = data.class_names;
  if (!Array.isArray(names) || names.some((n) => typeof n !== "string")) {
    fail("class_names", "an array of strings");
  }
  return out as unknown as RunSummary;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

/**
 * Reads a run directory; history.csv or summary.json must exist, the other files are optional.
 * @throws {Deno.errors.NotFound} when the directory holds neither history.csv nor summary.json.
 */
export async function readRun(dir: string): Promise<RunData> {
  const has = async (f: string) => await exists(join(dir, f));
  const [hHistory, hGradients, hConfusion, hSummary] = await Promise.all(
    ["history.csv", "gradients.csv", "confusion.csv", "summary.json"].map(has),
  );
  if (!hHistory && !hSummary) {
    throw new Deno.errors.NotFound(
      `Cannot read run '${dir}': it holds neither history.csv nor summary.json`,
    );
  }
  const summary = hSummary ? await readSummary(join(dir, "summary.json")) : undefined;
  return {
    dir,
    name: summary?.name ?? dir.replace(/[\\/]+$/, "").split(/[\\/]/).pop() ?? dir,
    summary,
    history: hHistory ? await readHistory(join(dir, "history.csv")) : emptyHistory(),
    gradients: hGradients
      ? await readGradients(join(dir, "gradients.csv"))
      : aq.table(Object.fromEntries(GRADIENT_COLUMNS.map((c) => [c, []]))),
    confusion: hConfusion ? await readConfusion(join(dir, "confusion.csv")) : undefined,
  };
}
