/**
 * `steps.csv`: the run's curve inside its epochs, one row every few
 * training steps, so a viewer sees loss and accuracy move long before the
 * first epoch ends. One writer and one reader, checked against
 * {@linkcode STEP_COLUMNS}.
 * @module
 */
import { join } from "node:path";
import { writeFileAtomic } from "./atomic.ts";
import { parseCsv, readCsvText, toCsv } from "./csv.ts";
import { markRunFormat } from "./format.ts";
import { RUN_FILES, STEP_COLUMNS } from "./layout.ts";

/** A row of steps.csv (see {@linkcode STEP_COLUMNS}); `epoch` numbered from 1. */
export interface StepRow {
  /** Training steps of the run done, from 1. */
  readonly step: number;
  /** Epoch of the row's last step, from 1. */
  readonly epoch: number;
  /** Mean training loss over the steps since the previous row. */
  readonly loss: number;
  /** Training accuracy over the steps since the previous row, in [0, 1]. */
  readonly acc: number;
  /** Learning rate of the row's last step. */
  readonly lr: number;
  /** Training images per second over the steps since the previous row. */
  readonly images_per_sec: number;
  /** Seconds since the run began (validation included; carried over a resume). */
  readonly elapsed_s: number;
}

/**
 * How many steps one row of steps.csv covers when the experiment does not
 * say: enough rows that an epoch of `stepsPerEpoch` steps gives at least 50
 * points (every step for epochs of 100 steps or fewer).
 *
 * @example
 * ```ts
 * import { defaultLogEvery } from "./steps.ts";
 * defaultLogEvery(704); // 14: 50 rows per epoch, and a few more
 * ```
 */
export function defaultLogEvery(stepsPerEpoch: number): number {
  if (!Number.isInteger(stepsPerEpoch) || stepsPerEpoch < 1) {
    throw new RangeError(
      `Cannot choose a step-log interval: 'stepsPerEpoch' must be an integer >= 1, got ${stepsPerEpoch}`,
    );
  }
  return Math.max(1, Math.floor(stepsPerEpoch / 50));
}

/** Writes steps.csv in `dir`, atomically: the columns of {@linkcode STEP_COLUMNS}, in order. */
export async function writeSteps(dir: string, rows: readonly StepRow[]): Promise<void> {
  await markRunFormat(dir);
  const cells = rows.map((r) => ({ ...r }));
  await writeFileAtomic(join(dir, RUN_FILES.steps), toCsv(cells, STEP_COLUMNS));
}

/**
 * Reads steps.csv: numbers, empty cells as NaN.
 * @throws {Deno.errors.NotFound} when there is none (a run of an older writer, or not started).
 * @throws {SyntaxError} naming the file when a column of {@linkcode STEP_COLUMNS} is missing
 * or a cell is not a number.
 */
export async function readSteps(path: string): Promise<StepRow[]> {
  const { header, rows } = parseCsv(await readCsvText(path), path);
  const at = STEP_COLUMNS.map((c) => header.indexOf(c));
  const missing = STEP_COLUMNS.filter((_, i) => at[i] < 0);
  if (missing.length > 0) {
    throw new SyntaxError(
      `Cannot read '${path}': missing column(s) ${missing.join(", ")}; header is '${
        header.join(",")
      }'`,
    );
  }
  return rows.map((cells, r) =>
    Object.fromEntries(STEP_COLUMNS.map((c, i) => {
      const text = cells[at[i]] ?? "";
      const v = text.trim() === "" ? NaN : Number(text);
      if (Number.isNaN(v) && text.trim() !== "" && text.trim() !== "NaN") {
        throw new SyntaxError(
          `Cannot read '${path}': row ${r + 2}, column '${c}' must be a number, got '${text}'`,
        );
      }
      return [c, v];
    })) as unknown as StepRow
  );
}
