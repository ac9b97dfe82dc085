/**
 * Re-renders a suite directory (suite.json lists its member run directories,
 * with the setting and seed of each): every member's report, Table I over
 * the seeds beside the paper's, the skip effects with their confidence
 * intervals, the multi-run figures and the suite's report.md.
 * @module
 */
import { join, relative } from "node:path";
import { RUN_FILES, suiteRuns, writeReport } from "../rundir/mod.ts";
import { gradientChart, historyCharts, lrChart, type RunChartOptions } from "./charts.ts";
import { ablationFigure, trainingFigure, validationFigure } from "./curve_figures.ts";
import { accuracyEffects, effectLines } from "./effects.ts";
import { gradientFigure, isNoSkip } from "./figures.ts";
import {
  groupBySetting,
  paperMarkdown,
  paperTable,
  paperText,
  writePaperTable,
} from "./paper_table.ts";
import { readRun, type RunData } from "./run_files.ts";
import { DEGRADATION_REPORT, renderDegradationReport } from "./degradation_report.ts";
import { type Figure, renderRunReport, type ReportResult, writeFigures } from "./run_report.ts";

/** What the members were trained with, as one line: epochs, data, limit, width, inits, seeds. */
function budgetLine(runs: readonly RunData[], seeds: readonly (number | undefined)[]): string {
  const values = (f: (r: Record<string, unknown>) => unknown) =>
    [
      ...new Set(
        runs.map((r) => r.summary?.recipe).filter((x) => x !== undefined).map((x) => {
          const v = f(x as Record<string, unknown>);
          return v === undefined || v === null ? "—" : String(v);
        }),
      ),
    ].join(", ");
  const data = (r: Record<string, unknown>) => r.data as Record<string, unknown> | undefined;
  const opts = (r: Record<string, unknown>) =>
    r.model_options as Record<string, unknown> | undefined;
  const seedList = [...new Set(seeds.filter((s) => s !== undefined))].join(", ");
  return [
    `epochs ${values((r) => r.epochs)}`,
    `data ${values((r) => data(r)?.source)}`,
    `limit ${values((r) => data(r)?.limit ?? "none")}`,
    `width ${values((r) => opts(r)?.width ?? 1)}`,
    `init ${values((r) => r.init)}`,
    `seeds ${seedList || values((r) => r.seed)}`,
    `backend ${[...new Set(runs.map((r) => r.summary?.backend ?? "—"))].join(", ")}`,
  ].join("; ");
}

/**
 * Renders every member, then Table I (table.csv, table.md), figures/*.svg
 * and report.md of the suite. Runs of one setting (suite.json's `setting`,
 * else the run's name) are one row of Table I and one line of each figure.
 */
export async function renderSuiteReport(
  dir: string,
  options: RunChartOptions = {},
): Promise<ReportResult> {
  const members = await suiteRuns(dir);
  const files: string[] = [];
  for (const m of members) files.push(...(await renderRunReport(m.dir, options)).files);
  const runs = await Promise.all(members.map((m) => readRun(m.dir)));
  const settingOf = members.map((m, i) => m.setting ?? runs[i].name);
  const table = paperTable(runs, { settings: settingOf });
  files.push(...(await writePaperTable(dir, table)));
  const effects = accuracyEffects(groupBySetting(runs, settingOf));

  const pick = (keep: (r: RunData) => boolean) => {
    const i = runs.flatMap((r, j) => (keep(r) ? [j] : []));
    return { runs: i.map((j) => runs[j]), settings: i.map((j) => settingOf[j]) };
  };
  const hist = pick((r) => r.history.numRows() > 0);
  const grads = pick((r) => r.gradients.numRows() > 0);
  const band = "the mean over a setting's seeds, shaded ± one standard deviation";
  const figures: Figure[] = [];
  if (hist.runs.length > 0) {
    figures.push({
      file: "training.svg",
      title: "Figure 1: training accuracy and loss",
      caption: `Training accuracy and loss per epoch for every setting: ${band}.`,
      svg: await trainingFigure(hist.runs, { settings: hist.settings }),
    });
    figures.push({
      file: "validation.svg",
      title: "Figure 2: validation accuracy and loss",
      caption: `Validation accuracy and loss per epoch (held-out training images, ` +
        `batch-norm moving statistics): ${band}.`,
      svg: await validationFigure(hist.runs, { settings: hist.settings }),
    });
  }
  if (grads.runs.length > 0) {
    figures.push({
      file: "gradients.svg",
      title: "Figure 3: gradient magnitude by layer",
      caption: "Gradient L2 norm of each main-path layer (stem, block convolutions, " +
        "classifier; log scale) on one batch at initialisation and with the final weights: " +
        "the mean over seeds, shaded from the lowest to the highest seed.",
      svg: await gradientFigure(grads.runs, { settings: grads.settings }),
    });
  }
  // Figures 4 and 5 compare all models with the no-skip ablation; without one they would repeat 1 and 2.
  if (hist.runs.some(isNoSkip)) {
    for (const [split, n, what] of [["train", 4, "Training"], ["val", 5, "Validation"]] as const) {
      figures.push({
        file: `ablation_${split === "train" ? "training" : "validation"}.svg`,
        title: `Figure ${n}: ${what.toLowerCase()} curves with and without skip connections`,
        caption: `${what} accuracy and loss of every setting, those without skip connections ` +
          `dashed: ${band}.`,
        svg: await ablationFigure(hist.runs, split, { settings: hist.settings }),
      });
    }
  }
  const fig = await writeFigures(dir, figures);
  files.push(...fig.files);

  // Members trained with an iteration curve (the degradation suite) also get its report.
  const degradation = await renderDegradationReport([dir]);
  if (degradation) files.push(...degradation.files);
  const links = runs
    .map((r, i) =>
      `- [${r.name}${members[i].seed === undefined ? "" : `, seed ${members[i].seed}`}](${
        relative(dir, join(r.dir, RUN_FILES.report))
      })`
    )
    .join("\n");
  const lines = effectLines(effects);
  const md = [
    `# Suite ${dir.replace(/[\\/]+$/, "").split(/[\\/]/).pop()}\n`,
    `Trained with: ${budgetLine(runs, members.map((m) => m.seed))}.\n`,
    "## Table I: model comparison\n\n" +
    "Ours: the mean over the n seeds of each setting, Test Acc. ± the seeds' sample standard " +
    "deviation in percentage points. Paper: its Table I (30 epochs at most, the full " +
    "training set, one run).\n\n" + paperMarkdown(table),
    "## Effect of skip connections (test accuracy)\n\n" +
    (lines.length
      ? lines.map((l) => `- ${l}`).join("\n") + "\n"
      : "No pair of ResNet-18 with its no-skip ablation or the baseline CNN in this suite.\n"),
    "## Figures\n\n" + (fig.markdown || "No member recorded a history.\n"),
    ...(degradation
      ? [`## Degradation study\n\nSee [${DEGRADATION_REPORT}](${DEGRADATION_REPORT}).\n`]
      : []),
    "## Members\n\n" + links + "\n",
  ].join("\n");
  files.push(await writeReport(dir, md));

  const text = [
    `Suite ${dir}: ${runs.length} runs`,
    paperText(table),
    ...lines,
    hist.runs.length > 0 ? historyCharts(hist.runs, { ...options, settings: hist.settings }) : "",
    grads.runs.length > 0
      ? gradientChart(grads.runs, { ...options, settings: grads.settings })
      : "",
    hist.runs.length > 0 ? lrChart(hist.runs, { ...options, settings: hist.settings }) : "",
    ...(degradation?.verdicts ?? []),
  ].filter((s) => s !== "").join("\n");
  return { kind: "suite", dir, files, text };
}
