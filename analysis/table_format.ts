/**
 * Arquero tables as aligned terminal text and as Markdown.
 * @module
 */
import type { ColumnTable } from "arquero";

/** How numbers are written in text tables. */
export interface FormatOptions {
  /**
   * Significant decimals for non-integers: 0.123456 → 0.1235, 1234.5678 → 1234.5678.
   * @default 4
   */
  readonly digits?: number;
  /**
   * Per-column formatters, used in place of the default for those columns.
   */
  readonly formats?: Readonly<Record<string, (value: unknown) => string>>;
}

/**
 * One cell as text: integers as they are, other numbers rounded to `digits`
 * decimals (trailing zeros dropped), non-finite numbers and null as `—`.
 * @example
 * ```ts
 * import { formatCell } from "./table_format.ts";
 * formatCell(0.123456); // "0.1235"
 * formatCell(NaN); // "—"
 * ```
 */
export function formatCell(value: unknown, digits = 4): string {
  if (value === null || value === undefined) return "—";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) return "—";
    if (Number.isInteger(value)) return String(value);
    if (Math.abs(value) < 10 ** -digits) return value.toExponential(2);
    return String(Number(value.toFixed(digits)));
  }
  return String(value);
}

function cells(
  table: ColumnTable,
  options: FormatOptions,
): { names: string[]; rows: string[][]; numeric: boolean[] } {
  const names = table.columnNames();
  const digits = options.digits ?? 4;
  const cols = names.map((n) => table.array(n) as ArrayLike<unknown>);
  const numeric = cols.map((c) => Array.from(c).every((v) => typeof v === "number" || v == null));
  const rows: string[][] = [];
  for (let i = 0; i < table.numRows(); i++) {
    rows.push(
      names.map((n, j) => options.formats?.[n]?.(cols[j][i]) ?? formatCell(cols[j][i], digits)),
    );
  }
  return { names, rows, numeric };
}

function checkTable(table: ColumnTable, fn: string): void {
  if (typeof table?.columnNames !== "function" || typeof table.numRows !== "function") {
    throw new TypeError(`Cannot ${fn}: 'table' must be an Arquero table, got ${typeof table}`);
  }
}

/**
 * An aligned plain-text table: a header, a rule, then one line per row;
 * number columns right-aligned, text columns left-aligned.
 * @example
 * ```ts
 * import * as aq from "arquero";
 * import { formatTable } from "./table_format.ts";
 * console.log(formatTable(aq.table({ model: ["cnn", "resnet18"], acc: [0.841, 0.899] })));
 * // model       acc
 * // --------  -----
 * // cnn       0.841
 * // resnet18  0.899
 * ```
 */
export function formatTable(table: ColumnTable, options: FormatOptions = {}): string {
  checkTable(table, "format a table");
  const { names, rows, numeric } = cells(table, options);
  const widths = names.map((n, j) => Math.max(n.length, ...rows.map((r) => r[j].length)));
  const line = (r: string[]): string =>
    r.map((c, j) => (numeric[j] ? c.padStart(widths[j]) : c.padEnd(widths[j]))).join("  ")
      .trimEnd();
  return [line(names), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n") +
    "\n";
}

/**
 * A GitHub-flavoured Markdown table, number columns right-aligned.
 * @example
 * ```ts
 * import * as aq from "arquero";
 * import { markdownTable } from "./table_format.ts";
 * markdownTable(aq.table({ model: ["cnn"], acc: [0.841] }));
 * // "| model | acc |\n|:--|--:|\n| cnn | 0.841 |\n"
 * ```
 */
export function markdownTable(table: ColumnTable, options: FormatOptions = {}): string {
  checkTable(table, "write a Markdown table");
  const { names, rows, numeric } = cells(table, options);
  const esc = (s: string): string => s.replaceAll("|", "\\|");
  const line = (r: string[]): string => "| " + r.map(esc).join(" | ") + " |";
  return [
    line(names),
    "|" + numeric.map((n) => (n ? "--:" : ":--")).join("|") + "|",
    ...rows.map(line),
  ]
    .join("\n") + "\n";
}
