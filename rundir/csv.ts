/**
 * The CSV dialect of run files: a header line, comma-separated cells, cells
 * holding a comma, quote or newline quoted with doubled quotes, `\n` line ends.
 * @module
 */
import { FILE_BOUNDS, readBoundedText } from "../core/bounded_read.ts";

/** A cell value: a number or a string; undefined writes an empty cell. */
export type Cell = number | string | undefined;

/**
 * Formats rows as CSV; the header is `columns`, or else the union of the
 * rows' keys in first-seen order.
 *
 * @example
 * ```ts
 * import { toCsv } from "./csv.ts";
 * toCsv([{ a: 1, b: "x,y" }]); // 'a,b\n1,"x,y"\n'
 * ```
 */
export function toCsv(
  rows: readonly Readonly<Record<string, Cell>>[],
  columns?: readonly string[],
): string {
  const cols = columns ?? [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cell = (v: Cell) => {
    if (v === undefined) return "";
    const s = String(v);
    return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  return [cols.join(","), ...rows.map((r) => cols.map((c) => cell(r[c])).join(","))].join("\n") +
    "\n";
}

/** A parsed CSV file: its header and its rows of raw cell text. */
export interface CsvText {
  /** Column names, in order. */
  readonly header: readonly string[];
  /** Cells of each row, as written (unquoted). */
  readonly rows: readonly (readonly string[])[];
}

/**
 * Parses CSV text written by {@linkcode toCsv} (or any RFC 4180 file).
 * @throws {SyntaxError} naming `path` and the line when a row's cell count differs from the header's.
 */
export function parseCsv(text: string, path: string): CsvText {
  const records: string[][] = [];
  let row: string[] = [], cell = "", quoted = false, i = 0;
  const endCell = () => (row.push(cell), cell = "");
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (cell += '"', i += 2);
      else if (c === '"') (quoted = false, i++);
      else (cell += c, i++);
    } else if (c === '"') (quoted = true, i++);
    else if (c === ",") (endCell(), i++);
    else if (c === "\n" || c === "\r") {
      endCell();
      records.push(row);
      row = [];
      i += c === "\r" && text[i + 1] === "\n" ? 2 : 1;
    } else (cell += c, i++);
  }
  if (cell !== "" || row.length > 0) (endCell(), records.push(row));
  const lines = records.filter((r) => !(r.length === 1 && r[0].trim() === ""));
  const header = (lines[0] ?? []).map((h) => h.trim());
  for (const [n, r] of lines.entries()) {
    if (r.length !== header.length) {
      throw new SyntaxError(
        `Cannot read '${path}': line ${
          n + 1
        } has ${r.length} cells, the header has ${header.length}`,
      );
    }
  }
  return { header, rows: lines.slice(1) };
}

/**
 * The text of a run directory's CSV file, read only if it is a regular file
 * within `FILE_BOUNDS.csv` (a run directory may come from anyone).
 * @throws {FileBoundError} naming the file and the bound.
 */
export function readCsvText(path: string): Promise<string> {
  return readBoundedText(path, FILE_BOUNDS.csv, "run table");
}
