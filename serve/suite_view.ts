/**
 * A suite's page: its members and Table I with the spread over seeds
 * (mean ± sample std, analysis/stats.ts) beside the paper's numbers.
 * @module
 */
import { relative, sep } from "node:path";
import {
  PAPER_TABLE,
  paperKey,
  paperTable,
  readRun,
  type RunData,
  spread,
} from "../analysis/mod.ts";
import { isInside, readSuite, suiteMemberDirs } from "../rundir/mod.ts";

/** A statistic over a group's seeds: n, mean and sample std (null for fewer than two). */
export interface Stat {
  /** Runs that had the value. */
  readonly n: number;
  /** Their mean. */
  readonly mean: number;
  /** Their sample standard deviation (NaN for n < 2). */
  readonly std: number;
}

/** One row of the suite's Table I: one experiment over its seeds. */
export interface TableOneRow {
  /** Model (run name of the group's first member). */
  readonly model: string;
  /** Seeds of the members, in member order. */
  readonly seeds: readonly (number | null)[];
  /** Member run ids. */
  readonly runs: readonly string[];
  /** Test accuracy, fraction. */
  readonly testAcc: Stat;
  /** Training minutes. */
  readonly trainMinutes: Stat;
  /** Trainable parameters (the first member's). */
  readonly params: number;
  /** Epochs run. */
  readonly epochs: Stat;
  /** Seconds per epoch. */
  readonly secondsPerEpoch: Stat;
  /** First/last layer gradient-norm ratio, final weights. */
  readonly gradRatio: Stat;
  /** The paper's test accuracy, if the paper has this model. */
  readonly paperTestAcc: number | null;
  /** The paper's training minutes. */
  readonly paperMinutes: number | null;
  /** The paper's trainable parameters. */
  readonly paperParams: number | null;
}

/** What a suite's page shows. */
export interface SuiteDetail {
  /** Suite id. */
  readonly id: string;
  /** Suite name. */
  readonly name: string;
  /** Member run ids (members outside the served folder are left out). */
  readonly members: readonly string[];
  /** Table I, one row per experiment. */
  readonly table: readonly TableOneRow[];
}

/** The experiment of a run with its seed and names taken out: runs differing only by seed share it. */
function experimentKey(run: RunData): string {
  const { seed: _s, name: _n, out: _o, ...rest } = (run.summary?.recipe ?? {}) as Record<
    string,
    unknown
  >;
  return JSON.stringify(rest) + (run.summary ? "" : run.name);
}

/** The page of the suite at real path `dir` (id `id`) under real root `root`. */
export async function suiteDetail(root: string, id: string, dir: string): Promise<SuiteDetail> {
  const state = await readSuite(dir);
  const inside = (await suiteMemberDirs(dir)).filter((m) => isInside(root, m));
  const runs: { id: string; data: RunData }[] = [];
  for (const m of inside) {
    const data = await readRun(m).catch(() => undefined); // not started yet: no row
    if (data) runs.push({ id: relative(root, m).split(sep).join("/"), data });
  }
  // One row per run (each its own setting); seeds are grouped below, with a spread per column.
  const table = paperTable(runs.map((r) => r.data), { settings: runs.map((r) => r.id) })
    .objects() as Record<string, number>[];
  const groups = new Map<string, number[]>();
  runs.forEach((r, i) => {
    const key = experimentKey(r.data);
    groups.set(key, [...(groups.get(key) ?? []), i]);
  });
  const rows = [...groups.values()].map((idx): TableOneRow => {
    const col = (c: string): Stat => spread(idx.map((i) => table[i][c]).filter(Number.isFinite));
    const first = runs[idx[0]].data;
    const key = paperKey(first);
    const paper = key === undefined ? undefined : PAPER_TABLE[key];
    return {
      model: first.name,
      seeds: idx.map((i) => runs[i].data.summary?.seed ?? null),
      runs: idx.map((i) => runs[i].id),
      testAcc: col("Test Acc."),
      trainMinutes: col("Train Time (min)"),
      params: table[idx[0]]["Params"],
      epochs: col("Epochs"),
      secondsPerEpoch: col("Seconds/Epoch"),
      gradRatio: col("Grad Ratio (first/last, final weights)"),
      paperTestAcc: paper?.testAcc ?? null,
      paperMinutes: paper?.trainMinutes ?? null,
      paperParams: paper?.params ?? null,
    };
  });
  return {
    id,
    name: state.name ?? id.split("/").pop()!,
    members: inside.map((m) => relative(root, m).split(sep).join("/")),
    table: rows,
  };
}
