import type { Row } from "./types.ts";

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
}
