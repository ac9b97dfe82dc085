/**
 * The CSV files of a run directory: history.csv, the tables plugins record
 * (gradients.csv, timing.csv, …), confusion.csv and classes.csv; one writer
 * and one reader each, checked against the columns in layout.ts. Rows hold
 * epochs as the files do, numbered from 1 (rundir/epochs.ts turns the
 * trainer's count into that); the readers convert a format-1 directory's
 * (rundir/format.ts).
 * @module
 */
import { dirname, join } from "node:path";
import { writeFileAtomic } from "./atomic.ts";
import { type Cell, parseCsv, readCsvText, toCsv } from "./csv.ts";
import { epochOffset, markRunFormat } from "./format.ts";
import {
  CLASS_COLUMNS,
  GRADIENT_COLUMNS,
  GRADIENT_TEXT_COLUMNS,
  HISTORY_COLUMNS,
  RUN_FILES,
  tableFile,
} from "./layout.ts";

/** A row of a table: numbers and strings by column. */
export type TableRow = Readonly<Record<string, number | string>>;

/**
 * A row of history.csv: every column of {@linkcode HISTORY_COLUMNS} as a
 * number (NaN when empty); `epoch` numbered from 1.
 */
export type HistoryRow = Readonly<Record<string, number>>;

/** A row of gradients.csv (see {@linkcode GRADIENT_COLUMNS}). */
export interface GradientRow {
  /** `init` (before any update), `epoch` (a mean over an epoch or window) or `final` (final weights). */
  readonly point: "init" | "epoch" | "final";
  /** Epoch, numbered from 1. */
  readonly epoch: number;
  /** Step within the epoch, or -1 for the epoch's average. */
  readonly step: number;
  /** Layer name. */
  readonly layer: string;
  /** `main`, or `shortcut` for a projection shortcut. */
  readonly path: "main" | "shortcut";
  /** Depth on the main path, input first (0-based); a shortcut's is its block's last convolution's. */
  readonly depth: number;
  /** L2 norm of the layer's gradient. */
  readonly norm: number;
}

/** A row of classes.csv: a class (or `accuracy`, `macro avg`, `weighted avg`) and its scores. */
export interface ClassRow {
  /** Class name, or the name of a summary row. */
  readonly class: string;
  /** Precision in [0, 1]. */
  readonly precision: number;
  /** Recall in [0, 1]. */
  readonly recall: number;
  /** F1 score in [0, 1]. */
  readonly f1: number;
  /** Images of the class in the test set. */
  readonly support: number;
}

/** A confusion matrix with its class names (rows actual, columns predicted). */
export interface ConfusionData {
  /** Class names, index order. */
  readonly classNames: readonly string[];
  /** Counts: row = actual class, column = predicted class. */
  readonly matrix: readonly (readonly number[])[];
}

const toNumber = (s: string): number => (s.trim() === "" ? NaN : Number(s));

/** Rows with `epoch` numbered from 1, whatever the format of the run directory holding `path`. */
async function numberedFromOne<R extends Record<string, number | string>>(
  path: string,
  rows: R[],
): Promise<R[]> {
  const offset = await epochOffset(dirname(path));
  if (offset === 0) return rows;
  return rows.map((r) => typeof r.epoch === "number" ? { ...r, epoch: r.epoch + offset } : r);
}

async function readColumns(
  path: string,
  numeric: readonly string[],
  text: readonly string[] = [],
): Promise<Record<string, number | string>[]> {
  const { header, rows } = parseCsv(await readCsvText(path), path);
  const missing = [...numeric, ...text].filter((c) => !header.includes(c));
  if (missing.length > 0) {
    throw new SyntaxError(
      `Cannot read '${path}': missing column(s) ${missing.join(", ")}; header is '${
        header.join(",")
      }'`,
    );
  }
  return await numberedFromOne(
    path,
    rows.map((cells) =>
      Object.fromEntries(
        header.map((c, i) => [c, numeric.includes(c) ? toNumber(cells[i]) : cells[i]]),
      )
    ),
  );
}

/**
 * Writes history.csv in `dir`, the columns of {@linkcode HISTORY_COLUMNS} in
 * order; `epoch` as given, numbered from 1 (see `numberEpochs`).
 */
export async function writeHistory(dir: string, rows: readonly HistoryRow[]): Promise<void> {
  await markRunFormat(dir);
  await writeFileAtomic(join(dir, RUN_FILES.history), toCsv(rows, HISTORY_COLUMNS));
}

/**
 * Reads history.csv: one row per epoch, numbers (empty cells become NaN).
 * @throws {SyntaxError} when a column of {@linkcode HISTORY_COLUMNS} is missing.
 */
export async function readHistory(path: string): Promise<HistoryRow[]> {
  return await readColumns(path, HISTORY_COLUMNS) as HistoryRow[];
}

/**
 * Writes a plugin's table as `<table>.csv` in `dir`, columns in first-seen
 * order; an `epoch` column as given, numbered from 1 (see `numberEpochs`).
 */
export async function writeRecordedTable(
  dir: string,
  table: string,
  rows: readonly Readonly<Record<string, Cell>>[],
): Promise<void> {
  await markRunFormat(dir);
  await writeFileAtomic(join(dir, tableFile(table)), toCsv(rows));
}

/**
 * Reads a table a plugin recorded (`timing.csv`, …): a column whose every
 * cell is a number (or empty) is read as numbers, any other as text.
 */
export async function readRecordedTable(path: string): Promise<TableRow[]> {
  const { header, rows } = parseCsv(await readCsvText(path), path);
  const numeric = header.map((_, i) =>
    rows.every((r) => r[i].trim() === "" || Number.isFinite(Number(r[i])))
  );
  return await numberedFromOne(
    path,
    rows.map((cells) =>
      Object.fromEntries(header.map((c, i) => [c, numeric[i] ? toNumber(cells[i]) : cells[i]]))
    ),
  );
}

/**
 * Reads gradients.csv: point, layer and path as text, the rest as numbers.
 * @throws {SyntaxError} when a column of {@linkcode GRADIENT_COLUMNS} is missing.
 */
export async function readGradients(path: string): Promise<GradientRow[]> {
  const numeric = GRADIENT_COLUMNS.filter((c) => !GRADIENT_TEXT_COLUMNS.includes(c));
  return await readColumns(path, numeric, GRADIENT_TEXT_COLUMNS) as unknown as GradientRow[];
}

/** Writes classes.csv in `dir`, the columns of {@linkcode CLASS_COLUMNS}. */
export async function writeClasses(dir: string, rows: readonly ClassRow[]): Promise<void> {
  await writeFileAtomic(
    join(dir, RUN_FILES.classes),
    toCsv(rows as unknown as Record<string, Cell>[], CLASS_COLUMNS),
  );
}

/**
 * Reads classes.csv.
 * @throws {SyntaxError} when a column of {@linkcode CLASS_COLUMNS} is missing.
 */
export async function readClasses(path: string): Promise<ClassRow[]> {
  const numeric = CLASS_COLUMNS.filter((c) => c !== "class");
  return await readColumns(path, numeric, ["class"]) as unknown as ClassRow[];
}

/** Writes confusion.csv in `dir`: column `actual` (class names), then one column per predicted class. */
export async function writeConfusion(dir: string, data: ConfusionData): Promise<void> {
  const { classNames, matrix } = data;
  const rows = matrix.map((row, i) => ({
    actual: classNames[i],
    ...Object.fromEntries(row.map((n, j) => [classNames[j], n])),
  }));
  await writeFileAtomic(join(dir, RUN_FILES.confusion), toCsv(rows, ["actual", ...classNames]));
}

/**
 * Reads confusion.csv.
 * @throws {SyntaxError} when the header or rows do not form a square matrix of counts.
 */
export async function readConfusion(path: string): Promise<ConfusionData> {
  const { header, rows } = parseCsv(await readCsvText(path), path);
  if (header[0] !== "actual") {
    throw new SyntaxError(
      `Cannot read '${path}': the first column must be 'actual', got '${header[0] ?? ""}'`,
    );
  }
  const classNames = header.slice(1);
  const matrix = rows.map((cells, i) => {
    const counts = cells.slice(1).map(Number);
    if (cells[0] !== classNames[i] || counts.some((v) => !Number.isInteger(v) || v < 0)) {
      throw new SyntaxError(
        `Cannot read '${path}': row ${i + 2} must be '${
          classNames[i]
        }' then ${classNames.length} ` +
          `counts, got '${cells.join(",")}'`,
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
