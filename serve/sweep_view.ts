/**
 * A sweep's page: every member with its status and numbers, the sweep table
 * (one row per setting, mean ± sample std over its seeds), the best setting
 * and accuracy against each swept key, all from analysis/'s sweep table and
 * the Vega-Lite specifications of its report figures, so the page and the
 * sweep's report.md cannot disagree.
 * @module
 */
import { relative, sep } from "node:path";
import {
  bestSentence,
  bestSetting,
  readSweep,
  sweepAxisSpec,
  sweepSettingsSpec,
} from "../analysis/mod.ts";
import { readSweepIndex, sweepMemberDir, type SweptValue } from "../rundir/mod.ts";
import { type RunRow, runRow } from "./run_view.ts";

/** One member of a sweep's page: its run row and where it sits in the sweep. */
export interface SweepMemberRow extends RunRow {
  /** The setting it is a seed of. */
  readonly setting: string;
  /** The values of the swept keys in its setting. */
  readonly values: Readonly<Record<string, SweptValue>>;
}

/** What a sweep's page shows. */
export interface SweepDetail {
  /** Sweep id. */
  readonly id: string;
  /** Sweep name (sweep.json's). */
  readonly name: string;
  /** The swept keys, in the sweep file's order. */
  readonly axes: readonly string[];
  /** Every member, in expansion order. */
  readonly members: readonly SweepMemberRow[];
  /**
   * One row per setting with a finished member (analysis/sweep_table.ts):
   * `setting`, the axes, `n`, `seeds`, `<measure>_mean` and `_std` (null for NaN).
   */
  readonly table: readonly Record<string, unknown>[];
  /** The best setting (highest mean best validation accuracy), or null before any finished. */
  readonly best: string | null;
  /** The sentence report.md states the best setting in, or null. */
  readonly bestText: string | null;
  /** Accuracy against each swept key, one Vega-Lite specification per key. */
  readonly charts: readonly {
    readonly id: string;
    readonly title: string;
    readonly spec: unknown;
  }[];
}

/** NaN as null, so the JSON is valid and a missing number reads as missing. */
const finiteOnly = <T>(value: T): T =>
  JSON.parse(
    JSON.stringify(value, (_k, v) => (typeof v === "number" && !Number.isFinite(v) ? null : v)),
  );

/** The page of the sweep at real path `dir` (id `id`) under real root `root`. */
export async function sweepDetail(root: string, id: string, dir: string): Promise<SweepDetail> {
  const index = await readSweepIndex(dir);
  const { axes, results, table } = await readSweep(dir);
  const members = await Promise.all(index.members.map(async (m) => {
    const path = sweepMemberDir(dir, m);
    const memberId = relative(root, path).split(sep).join("/");
    const row = await runRow(memberId, path, null);
    return { ...row, setting: m.setting, values: m.values };
  }));
  const charts: SweepDetail["charts"][number][] = results.length === 0
    ? []
    : axes.map((axis, i) => ({
      id: `sweep-axis-${i + 1}`,
      title: `Accuracy against ${axis} (points: members; line: mean over members with that value)`,
      spec: { ...sweepAxisSpec(results, axis), title: undefined },
    }));
  if (results.length && axes.length >= 2) {
    charts.push({
      id: "sweep-settings",
      title: `Every setting in the plane of ${axes[0]} and ${axes[1]} (colour: mean best ` +
        "validation accuracy; size: seeds)",
      spec: { ...sweepSettingsSpec(results, axes), title: undefined },
    });
  }
  const best = bestSetting(table);
  return finiteOnly({
    id,
    name: index.name,
    axes,
    members,
    table: table.objects() as Record<string, unknown>[],
    best: best ? String(best.setting) : null,
    bestText: bestSentence(table) ?? null,
    charts,
  });
}
