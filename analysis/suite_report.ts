/**
 * Re-renders a suite directory (suite.json lists its member run directories):
 * every member's report, Table I, the multi-run figures and the suite's report.md.
 * @module
 */
import { join, relative } from "node:path";
import { RUN_FILES, suiteMemberDirs, writeReport } from "../rundir/mod.ts";
import { gradientChart, historyCharts, lrChart, type RunChartOptions } from "./charts.ts";
import {
  ablationFigure,
  gradientFigure,
  isNoSkip,
  trainingFigure,
  validationFigure,
} from "./figures.ts";
import { PAPER_FORMATS, paperMarkdown, paperTable, writePaperTable } from "./paper_table.ts";
import { readRun } from "./run_files.ts";
import { DEGRADATION_REPORT, renderDegradationReport } from "./degradation_report.ts";
import { type Figure, renderRunReport, type ReportResult, writeFigures } from "./run_report.ts";
import { formatTable } from "./table_format.ts";

/** Renders every member, then Table I (table.csv, table.md), figures/*.svg and report.md of the suite. */
export async function renderSuiteReport(
  dir: string,
  options: RunChartOptions = {},
): Promise<ReportResult> {
  const members = await suiteMemberDirs(dir);
  const files: string[] = [];
  for (const m of members) files.push(...(await renderRunReport(m, options)).files);
  const runs = await Promise.all(members.map(readRun));
  const table = paperTable(runs);
  files.push(...(await writePaperTable(dir, table)));

  const withHistory = runs.filter((r) => r.history.numRows() > 0);
  const withGradients = runs.filter((r) => r.gradients.numRows() > 0);
  const figures: Figure[] = [];
  if (withHistory.length > 0) {
    figures.push({
      file: "training.svg",
      caption: "Figure 1: training accuracy and loss",
      svg: await trainingFigure(withHistory),
    });
    figures.push({
      file: "validation.svg",
      caption: "Figure 2: validation accuracy and loss",
      svg: await validationFigure(withHistory),
    });
  }
  if (withGradients.length > 0) {
    figures.push({
      file: "gradients.svg",
      caption: "Figure 3: gradient magnitude by layer",
      svg: await gradientFigure(withGradients),
    });
  }
  // Figures 4 and 5 compare all models with the no-skip ablation; without one they would repeat 1 and 2.
  if (withHistory.some(isNoSkip)) {
    figures.push({
      file: "ablation_training.svg",
      caption: "Figure 4: training curves with and without skip connections (dashed: no skips)",
      svg: await ablationFigure(withHistory, "train"),
    });
    figures.push({
      file: "ablation_validation.svg",
      caption: "Figure 5: validation curves with and without skip connections (dashed: no skips)",
      svg: await ablationFigure(withHistory, "val"),
    });
  }
  const fig = await writeFigures(dir, figures);
  files.push(...fig.files);

  // Members trained with an iteration curve (the degradation suite) also get its report.
  const degradation = await renderDegradationReport([dir]);
  if (degradation) files.push(...degradation.files);
  const links = runs
    .map((r) => `- [${r.name}](${relative(dir, join(r.dir, RUN_FILES.report))})`)
    .join("\n");
  const md = [
    `# Suite ${dir.replace(/[\\/]+$/, "").split(/[\\/]/).pop()}\n`,
    "## Table I: model comparison\n\n" + paperMarkdown(table),
    "## Figures\n\n" + (fig.markdown || "No member recorded a history.\n"),
    ...(degradation
      ? [`## Degradation study\n\nSee [${DEGRADATION_REPORT}](${DEGRADATION_REPORT}).\n`]
      : []),
    "## Members\n\n" + links + "\n",
  ].join("\n");
  files.push(await writeReport(dir, md));

  const text = [
    `Suite ${dir}: ${runs.length} runs`,
    formatTable(table, { formats: PAPER_FORMATS }),
    withHistory.length > 0 ? historyCharts(withHistory, options) : "",
    withGradients.length > 0 ? gradientChart(withGradients, options) : "",
    withHistory.length > 0 ? lrChart(withHistory, options) : "",
    ...(degradation?.verdicts ?? []),
  ].filter((s) => s !== "").join("\n");
  return { kind: "suite", dir, files, text };
}
