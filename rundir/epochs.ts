/**
 * How epochs are numbered where a person reads them. The trainer counts
 * epochs from 0 (`ctx.epoch`, `EpochMetrics.epoch`, a checkpoint's state),
 * as Keras's `History.epoch` does; every run file, log line, table and chart
 * numbers them from 1, as Keras's "Epoch 1/30" does. This file is the one
 * place that turns the first into the second: the observers that write a
 * run, the progress log and the plugins' log lines all call it, so no "+ 1"
 * is spelled anywhere else.
 * @module
 */

/**
 * The number a person reads for the epoch the trainer counts as `index`
 * (from 0): the first epoch is epoch 1.
 *
 * @example
 * ```ts
 * import { epochNumber } from "./epochs.ts";
 * epochNumber(0); // 1
 * ```
 */
export function epochNumber(index: number): number {
  return index + 1;
}

/**
 * Rows the trainer or a plugin keeps (an `epoch` column counted from 0) with
 * that column numbered from 1, as a run file holds them; rows without a
 * numeric `epoch` are returned as they are.
 *
 * @example
 * ```ts
 * import { numberEpochs } from "./epochs.ts";
 * numberEpochs([{ epoch: 0, loss: 2.3 }]); // [{ epoch: 1, loss: 2.3 }]
 * ```
 */
export function numberEpochs<R extends Readonly<Record<string, unknown>>>(
  rows: readonly R[],
): R[] {
  return rows.map((r) => (typeof r.epoch === "number" ? { ...r, epoch: epochNumber(r.epoch) } : r));
}
