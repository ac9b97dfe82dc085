/**
 * A suite's page: its members, Table I with the spread over seeds (mean ±
 * sample std, analysis/stats.ts) beside the paper's numbers, the skip
 * effects with their confidence intervals, and the report's figures (one
 * band per setting over its seeds) as the Vega-Lite specifications
 * analysis/ renders them from, so the page and report.md cannot disagree.
 * @module
 */
import { relative, sep } from "node:path";
import {
  accuracyEffects,
  curveSpec,
  effectLines,
  effectSpec,
  gradientSpec,
  groupBySetting,
  PAPER_TABLE,
  paperKey,
  paperTable,
  readRun,
  type RunData,
  spread,
} from "../analysis/mod.ts";
import { isInside, readSuite, suiteRuns } from "../rundir/mod.ts";

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
  /** The setting (suite.json's, else the run name of the group's first member). */
  readonly setting: string;
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
  /** The skip effects (analysis/effects.ts): one sentence each, as report.md states them. */
  readonly effects: readonly string[];
  /** Vega-Lite specifications of the effects and the report's figures, in page order. */
  readonly charts: readonly SuiteChart[];
}

/** One chart of a suite's page. */
export interface SuiteChart {
  /** Its id on the page. */
  readonly id: string;
  /** Its caption. */
  readonly title: string;
  /** The Vega-Lite specification (data inline). */
  readonly spec: unknown;
}

/** NaN and infinities as null: JSON has no NaN, and a spec's `isValid` filters null. */
const finiteOnly = (spec: unknown): unknown =>
  JSON.parse(
    JSON.stringify(spec, (_k, v) => (typeof v === "number" && !Number.isFinite(v) ? null : v)),
  );

/** The charts of a suite whose runs are `runs`, their settings `settings`. */
function suiteCharts(runs: readonly RunData[], settings: readonly string[]): SuiteChart[] {
  const charts: SuiteChart[] = [];
  const effects = accuracyEffects(groupBySetting(runs, settings));
  if (effects.length) {
    charts.push({
      id: "effects",
      title: "Effect of skip connections on test accuracy: difference and 95% CI (Welch)",
      spec: effectSpec(effects),
    });
  }
  const hist = runs.flatMap((r, i) => (r.history.numRows() > 0 ? [i] : []));
  const pick = (idx: number[]) => [idx.map((i) => runs[i]), idx.map((i) => settings[i])] as const;
  if (hist.length) {
    const [rs, ss] = pick(hist);
    const band = "mean over each setting's seeds, band ± 1 SD";
    charts.push(
      {
        id: "suite-train",
        title: `Training accuracy and loss (${band})`,
        spec: curveSpec(rs, "train", { settings: ss, members: true }),
      },
      {
        id: "suite-val",
        title: `Validation accuracy and loss (${band})`,
        spec: curveSpec(rs, "val", { settings: ss, members: true }),
      },
    );
  }
  const grads = runs.flatMap((r, i) => (r.gradients.numRows() > 0 ? [i] : []));
  if (grads.length) {
    const [rs, ss] = pick(grads);
    charts.push({
      id: "suite-gradients",
      title: "Gradient norm by depth (mean over seeds, band lowest to highest)",
      spec: gradientSpec(rs, { settings: ss }),
    });
  }
  // The page's caption replaces the figure's own title.
  return charts.map((c) => ({
    ...c,
    spec: finiteOnly({ ...(c.spec as object), title: undefined }),
  }));
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
  const inside = (await suiteRuns(dir)).filter((m) => isInside(root, m.dir));
  const runs: { id: string; data: RunData; setting?: string }[] = [];
  for (const m of inside) {
    const data = await readRun(m.dir).catch(() => undefined); // not started yet: no row
    const id = relative(root, m.dir).split(sep).join("/");
    if (data) runs.push({ id, data, setting: m.setting });
  }
  // One row per run (each its own setting); seeds are grouped below, with a spread per column.
  const table = paperTable(runs.map((r) => r.data), { settings: runs.map((r) => r.id) })
    .objects() as Record<string, number>[];
  const groups = new Map<string, number[]>();
  runs.forEach((r, i) => {
    const key = r.setting ?? experimentKey(r.data);
    groups.set(key, [...(groups.get(key) ?? []), i]);
  });
  const rows = [...groups.values()].map((idx): TableOneRow => {
    const col = (c: string): Stat => spread(idx.map((i) => table[i][c]).filter(Number.isFinite));
    const first = runs[idx[0]].data;
    const key = paperKey(first);
    const paper = key === undefined ? undefined : PAPER_TABLE[key];
    return {
      setting: runs[idx[0]].setting ?? first.name,
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
  // The figures' settings: suite.json's, else one per row of Table I (runs differing only by seed).
  const settingOf = new Map(rows.flatMap((row) => row.runs.map((r) => [r, row.setting])));
  const settings = runs.map((r) => settingOf.get(r.id)!);
  const data = runs.map((r) => r.data);
  return {
    id,
    name: state.name ?? id.split("/").pop()!,
    members: inside.map((m) => relative(root, m.dir).split(sep).join("/")),
    table: rows,
    effects: effectLines(accuracyEffects(groupBySetting(data, settings))),
    charts: suiteCharts(data, settings),
  };
}
