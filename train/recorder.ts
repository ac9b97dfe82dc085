import { writeFileAtomic } from "./atomic.ts";
import type { Row } from "./types.ts";

/** Formats rows as CSV with the union of their keys as header, in first-seen order. */
export function toCsv(rows: readonly Row[], columns?: readonly string[]): string {
  const cols = columns ?? [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cell = (v: number | string | undefined) => {
    if (v === undefined) return "";
    const s = String(v);
    return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  return [cols.join(","), ...rows.map((r) => cols.map((c) => cell(r[c])).join(","))].join("\n") +
    "\n";
}

/** Named tables of rows that plugins and the trainer record into. */
export class Recorder {
  readonly #tables = new Map<string, Row[]>();

  /** Appends a row to a table. */
  record(table: string, row: Row): void {
    let rows = this.#tables.get(table);
    if (!rows) this.#tables.set(table, rows = []);
    rows.push({ ...row });
  }

  /** Rows of a table (empty when none were recorded). */
  rows(table: string): readonly Row[] {
    return this.#tables.get(table) ?? [];
  }

  /** Every table, for checkpoints. */
  toJSON(): Record<string, Row[]> {
    return Object.fromEntries(this.#tables);
  }

  /** Replaces every table, when resuming. */
  restore(tables: Record<string, Row[]>): void {
    this.#tables.clear();
    for (const [k, v] of Object.entries(tables)) this.#tables.set(k, v.map((r) => ({ ...r })));
  }

  /** Writes each table as `<dir>/<table>.csv`, atomically. */
  async writeCsv(dir: string): Promise<void> {
    for (const [name, rows] of this.#tables) {
      await writeFileAtomic(`${dir}/${name}.csv`, toCsv(rows));
    }
  }
}
