/**
 * A sweep directory's report, from its files: the sweep table (sweep.csv,
 * sweep.md), the best setting, a figure of accuracy against each swept key
 * (figures/sweep_<key>.svg) and report.md.
 * @module
 */
import * as aq from "arquero";
import type { ColumnTable } from "arquero";
import { join, relative } from "node:path";
import {
  readSweepIndex,
  RUN_FILES,
  SWEEP_FILES,
  sweepMemberDir,
  type SweptValue,
  writeFileAtomic,
  writeReport,
} from "../rundir/mod.ts";
import { type FigureSpec, renderSvg } from "./figures.ts";
import { sweepSettingsSpec } from "./sweep_settings_figure.ts";
import { readRun } from "./run_files.ts";
import { type Figure, writeFigures } from "./run_report.ts";
import { bestSetting, type MemberResult, memberResult, sweepTable } from "./sweep_table.ts";
import { formatTable, markdownTable } from "./table_format.ts";
import { writeTable } from "./tables.ts";
import { maxOf, minOf } from "../core/extent.ts";

/** A sweep's table and what it was made from. */
export interface SweepResults {
  /** The swept keys. */
  readonly axes: readonly string[];
  /** Finished members' numbers. */
  readonly results: readonly MemberResult[];
  /** Members not finished yet (no summary.json). */
  readonly unfinished: readonly string[];
  /** One row per setting. */
  readonly table: ColumnTable;
}

/** Reads every member of the sweep in `dir` and builds its table. */
export async function readSweep(dir: string): Promise<SweepResults> {
  const index = await readSweepIndex(dir);
  const results: MemberResult[] = [];
  const unfinished: string[] = [];
  for (const m of index.members) {
    const run = await readRun(sweepMemberDir(dir, m)).catch((e) => {
      if (e instanceof Deno.errors.NotFound) return undefined;
      throw e;
    });
    const r = run && memberResult(m, run);
    if (r) results.push(r);
    else unfinished.push(m.dir);
  }
  return { axes: index.axes, results, unfinished, table: sweepTable(results, index.axes) };
}

const pm = (mean: unknown, std: unknown, digits: number, scale = 1) => {
  const m = Number(mean) * scale, s = Number(std) * scale;
  if (!Number.isFinite(m)) return "—";
  return Number.isFinite(s) ? `${m.toFixed(digits)} ± ${s.toFixed(digits)}` : m.toFixed(digits);
};

/** The sweep table as people read it: percentages, mean ± std. */
export function formattedSweepTable(table: ColumnTable, axes: readonly string[]): ColumnTable {
  const rows = (table.objects() as Record<string, unknown>[]).map((r) => ({
    setting: r.setting,
    ...Object.fromEntries(axes.map((a) => [a, r[a]])),
    n: r.n,
    "test acc %": pm(r.test_acc_mean, r.test_acc_std, 1, 100),
    "best val acc %": pm(r.best_val_acc_mean, r.best_val_acc_std, 1, 100),
    epochs: pm(r.epochs_mean, r.epochs_std, 1),
    minutes: pm(r.minutes_mean, r.minutes_std, 2),
  }));
  const columns = ["setting", ...axes, "n", "test acc %", "best val acc %", "epochs", "minutes"];
  return aq.table(
    Object.fromEntries(columns.map((c) => [c, rows.map((r) => (r as Record<string, unknown>)[c])])),
  );
}

/** One sentence naming the best setting, or undefined when nothing finished. */
export function bestSentence(table: ColumnTable): string | undefined {
  const b = bestSetting(table);
  if (!b) return undefined;
  return `Best setting (highest mean best validation accuracy): ${b.setting} — best val acc ` +
    `${pm(b.best_val_acc_mean, b.best_val_acc_std, 1, 100)}%, test acc ` +
    `${pm(b.test_acc_mean, b.test_acc_std, 1, 100)}% over n = ${b.n} seed(s)`;
}

/**
 * Accuracy against one swept key: every member as a point (test and best
 * validation accuracy), the mean over the members sharing each value as a
 * line; a log x scale for a learning rate or weight decay, and for other
 * positive numbers spanning 20× or more.
 */
export async function sweepAxisFigure(
  results: readonly MemberResult[],
  axis: string,
): Promise<string> {
  return await renderSvg(sweepAxisSpec(results, axis));
}

/**
 * The Vega-Lite specification of {@linkcode sweepAxisFigure} (the dashboard's
 * sweep page draws it too), hover values on each member.
 */
export function sweepAxisSpec(
  results: readonly MemberResult[],
  axis: string,
): FigureSpec {
  const values = results.flatMap((r) =>
    (["test_acc", "best_val_acc"] as const).map((m) => ({
      x: r.values[axis] as SweptValue,
      metric: m === "test_acc" ? "test accuracy" : "best validation accuracy",
      value: r[m],
      setting: r.setting,
      seed: r.seed,
    }))
  ).filter((v) => Number.isFinite(v.value));
  const xs = values.map((v) => v.x);
  const numeric = xs.length > 0 && xs.every((x) => typeof x === "number");
  const nums = xs as number[];
  // Rates and decays are tried on a multiplicative grid, so they read on a log axis.
  const multiplicative = /(^|\.)(lr|weight_decay)$/.test(axis);
  const log = numeric && minOf(nums) > 0 &&
    (multiplicative || maxOf(nums) / minOf(nums) >= 20);
  const x = {
    field: "x",
    type: numeric ? "quantitative" : "nominal",
    title: axis,
    ...(numeric ? { scale: log ? { type: "log" } : { zero: false } } : {}),
  };
  const y = { field: "value", type: "quantitative", title: "accuracy", scale: { zero: false } };
  const color = { field: "metric", type: "nominal", title: null, legend: { labelLimit: 300 } };
  const tooltip = [
    { field: "setting" },
    { field: "seed" },
    { field: "metric" },
    { field: "value", title: "accuracy", format: ".2%" },
  ];
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: `Accuracy against ${axis} (points: members; line: mean over members with that value)`,
    data: { values },
    width: 360,
    height: 240,
    layer: [
      { mark: { type: "point", opacity: 0.6 }, encoding: { x, y, color, tooltip } },
      {
        mark: { type: "line", point: true },
        encoding: { x, y: { ...y, aggregate: "mean" }, color },
      },
    ],
    config: { background: "white" },
  } as FigureSpec;
}

/**
 * Renders the sweep in `dir`: sweep.csv (raw numbers), sweep.md, a figure per
 * swept key and report.md; returns the terminal text.
 */
export async function renderSweepReport(
  dir: string,
): Promise<{ files: string[]; text: string }> {
  const { axes, results, unfinished, table } = await readSweep(dir);
  const index = await readSweepIndex(dir);
  const files: string[] = [];
  const csv = join(dir, SWEEP_FILES.table);
  await writeTable(table, csv);
  const shown = formattedSweepTable(table, axes);
  const md = join(dir, SWEEP_FILES.tableMarkdown);
  await writeFileAtomic(md, `# Sweep ${index.name}\n\n${markdownTable(shown)}`);
  files.push(csv, md);
  const figures: Figure[] = [];
  for (const [i, axis] of axes.entries()) {
    if (!results.length) break;
    figures.push({
      file: `sweep_${i + 1}_${axis.replace(/[^\w.-]/g, "-")}.svg`,
      caption: `Accuracy against ${axis}`,
      svg: await sweepAxisFigure(results, axis),
    });
  }
  if (results.length && axes.length >= 2) {
    figures.push({
      file: "sweep_settings.svg",
      caption: `Every setting in the plane of ${axes[0]} and ${axes[1]}`,
      svg: await renderSvg(sweepSettingsSpec(results, axes)),
    });
  }
  const fig = await writeFigures(dir, figures);
  files.push(...fig.files);
  const best = bestSentence(table);
  const links = index.members.map((m) =>
    `- [${m.dir}](${relative(dir, join(sweepMemberDir(dir, m), RUN_FILES.report))})`
  ).join("\n");
  const report = [
    `# Sweep ${index.name}\n`,
    `${results.length} of ${index.members.length} members finished` +
    (unfinished.length ? ` (waiting: ${unfinished.join(", ")})` : "") + ".\n",
    best ? `${best}.\n` : "",
    "## Settings\n\n" + markdownTable(shown),
    "## Figures\n\n" + (fig.markdown || "No member has finished.\n"),
    "## Members\n\n" + links + "\n",
  ].filter((s) => s !== "").join("\n");
  files.push(await writeReport(dir, report));
  const text = [
    `Sweep ${dir}: ${results.length}/${index.members.length} members finished`,
    formatTable(shown),
    best ?? "",
  ].filter((s) => s !== "").join("\n");
  return { files, text };
}
