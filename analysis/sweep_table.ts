/**
 * The sweep table: one row per setting, and for test accuracy, best validation
 * accuracy, epochs and training time the mean ± sample standard deviation over
 * the setting's seeds and their number n (analysis/stats.ts). It serves any
 * group of runs that records a setting and a seed per member: a sweep's
 * sweep.json, or a suite trained over seeds.
 * @module
 */
import * as aq from "arquero";
import type { ColumnTable } from "arquero";
import type { SweptValue } from "../rundir/mod.ts";
import type { RunData } from "./run_files.ts";
import { spread } from "./stats.ts";
import { maxOf } from "../core/extent.ts";

/** One finished member's numbers. */
export interface MemberResult {
  /** The setting it is a seed of. */
  readonly setting: string;
  /** Its seed. */
  readonly seed: number;
  /** Values of the swept keys in its setting. */
  readonly values: Readonly<Record<string, SweptValue>>;
  /** Test accuracy (summary.json). */
  readonly test_acc: number;
  /** Best validation accuracy over its epochs (history.csv). */
  readonly best_val_acc: number;
  /** Epochs trained. */
  readonly epochs: number;
  /** Training time in minutes: the sum of its epochs' seconds, over every resume. */
  readonly minutes: number;
}

/** The measures of the table, each with `_mean` and `_std` columns. */
export const SWEEP_MEASURES: readonly (keyof MemberResult & string)[] = [
  "test_acc",
  "best_val_acc",
  "epochs",
  "minutes",
];

/**
 * A member's numbers from its run directory, or undefined while it has not
 * finished (no summary.json).
 */
export function memberResult(
  member: {
    readonly setting: string;
    readonly seed: number;
    readonly values?: MemberResult["values"];
  },
  run: RunData,
): MemberResult | undefined {
  if (!run.summary) return undefined;
  const history = run.history.objects() as Record<string, number>[];
  const val = history.map((r) => r.val_acc).filter(Number.isFinite);
  const seconds = history.map((r) => r.seconds).filter(Number.isFinite);
  return {
    setting: member.setting,
    seed: member.seed,
    values: member.values ?? {},
    test_acc: run.summary.test_acc,
    best_val_acc: val.length ? maxOf(val) : NaN,
    epochs: run.summary.epochs_run,
    minutes: seconds.reduce((a, b) => a + b, 0) / 60,
  };
}

/**
 * One row per setting, in first-seen order: `setting`, the swept keys `axes`,
 * `n` (seeds finished), `seeds` (their list), then `<measure>_mean` and
 * `<measure>_std` for each of {@linkcode SWEEP_MEASURES}.
 * @throws {RangeError} when two members of one setting share a seed.
 * @example
 * ```ts
 * import { sweepTable } from "./sweep_table.ts";
 * const row = (seed: number, test_acc: number) =>
 *   ({ setting: "lr-0.001", seed, values: { "optimizer.lr": 0.001 }, test_acc,
 *      best_val_acc: test_acc, epochs: 2, minutes: 0.1 });
 * const t = sweepTable([row(0, 0.5), row(1, 0.7)], ["optimizer.lr"]);
 * console.log(t.get("test_acc_mean", 0), t.get("n", 0)); // 0.6 2
 * ```
 */
export function sweepTable(results: readonly MemberResult[], axes: readonly string[]): ColumnTable {
  const settings = [...new Set(results.map((r) => r.setting))];
  const rows = settings.map((setting) => {
    const of = results.filter((r) => r.setting === setting);
    const seeds = of.map((r) => r.seed);
    if (new Set(seeds).size !== seeds.length) {
      throw new RangeError(
        `Cannot aggregate setting '${setting}': each seed may appear once, got ${seeds.join(", ")}`,
      );
    }
    const row: Record<string, unknown> = { setting };
    for (const a of axes) row[a] = of[0].values[a];
    row.n = of.length;
    row.seeds = seeds.join(" ");
    for (const m of SWEEP_MEASURES) {
      const s = spread(of.map((r) => r[m] as number));
      row[`${m}_mean`] = s.mean;
      row[`${m}_std`] = s.std;
    }
    return row;
  });
  const columns = [
    "setting",
    ...axes,
    "n",
    "seeds",
    ...SWEEP_MEASURES.flatMap((m) => [`${m}_mean`, `${m}_std`]),
  ];
  return aq.table(Object.fromEntries(columns.map((c) => [c, rows.map((r) => r[c])])));
}

/**
 * The best row of a sweep table: the highest mean best validation accuracy
 * (the measure a choice may be made on), ties broken by mean test accuracy.
 * Undefined for an empty table.
 */
export function bestSetting(table: ColumnTable): Record<string, unknown> | undefined {
  const rows = table.objects() as Record<string, number>[];
  const score = (r: Record<string, number>) => [r.best_val_acc_mean, r.test_acc_mean];
  let best: Record<string, number> | undefined;
  for (const r of rows) {
    if (!best) {
      best = r;
      continue;
    }
    const [a, b] = [score(r), score(best)];
    if (a[0] > b[0] || (a[0] === b[0] && a[1] > b[1])) best = r;
  }
  return best;
}
