/**
 * Re-renders one run directory from its files: classes.csv, figures/*.svg,
 * report.md and the terminal text.
 * @module
 */
import * as aq from "arquero";
import type { ColumnTable } from "arquero";
import { join } from "node:path";
import { gradientChart, historyCharts, lrChart, type RunChartOptions } from "./charts.ts";
import { confusionFigure, gradientFigure, trainingFigure, validationFigure } from "./figures.ts";
import {
  classificationReport,
  type ClassReportRow,
  formatClassificationReport,
} from "./metrics.ts";
import { PAPER_FORMATS, paperMarkdown, paperTable } from "./paper_table.ts";
import { readRun, type RunData } from "./run_files.ts";
import { formatTable, markdownTable } from "./table_format.ts";
import { classReportTable, layerNormTable, writeTable } from "./tables.ts";

/** What a report rendering wrote and what it shows in a terminal. */
export interface ReportResult {
  /** `run` for a run directory, `suite` for a suite directory. */
  readonly kind: "run" | "suite";
  /** The directory rendered. */
  readonly dir: string;
  /** Paths of the files written. */
  readonly files: readonly string[];
  /** Tables and charts for the terminal (ANSI colours only if `color`). */
  readonly text: string;
}

/** A figure file of a report: its name under figures/ and caption. */
export interface Figure {
  /** File name under figures/, e.g. `training.svg`. */
  readonly file: string;
  /** Caption and alt text in report.md. */
  readonly caption: string;
  /** The SVG document. */
  readonly svg: string;
}

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

/** Writes figures under `dir/figures/` and returns the paths and the Markdown that embeds them. */
export async function writeFigures(
  dir: string,
  figures: readonly Figure[],
): Promise<{ files: string[]; markdown: string }> {
  await Deno.mkdir(join(dir, "figures"), { recursive: true });
  const files: string[] = [];
  for (const f of figures) {
    files.push(join(dir, "figures", f.file));
    await Deno.writeTextFile(files[files.length - 1], f.svg);
  }
  const markdown = figures.map((f) => `### ${f.caption}\n\n![${f.caption}](figures/${f.file})\n`)
    .join("\n");
  return { files, markdown };
}

async function classRows(run: RunData): Promise<ClassReportRow[] | undefined> {
  if (run.confusion) return classificationReport(run.confusion.matrix, run.confusion.classNames);
  const path = join(run.dir, "classes.csv");
  if (!(await exists(path))) return undefined;
  const t = aq.fromCSV(await Deno.readTextFile(path));
  return t.objects() as unknown as ClassReportRow[];
}

function keyValue(run: RunData): ColumnTable {
  const s = run.summary as unknown as Record<string, unknown> | undefined;
  const keys = s ? Object.keys(s).filter((k) => k !== "class_names") : [];
  return aq.table({ key: keys, value: keys.map((k) => String(s?.[k])) });
}

/**
 * Renders a run directory: writes classes.csv (when confusion.csv is present
 * and classes.csv is not), figures/*.svg and report.md; returns the terminal text.
 */
export async function renderRunReport(
  dir: string,
  options: RunChartOptions = {},
): Promise<ReportResult> {
  const run = await readRun(dir);
  const files: string[] = [];
  const rows = await classRows(run);
  const classesPath = join(dir, "classes.csv");
  if (run.confusion && rows && !(await exists(classesPath))) {
    await writeTable(classReportTable(rows), classesPath);
    files.push(classesPath);
  }
  const hasHistory = run.history.numRows() > 0, hasGradients = run.gradients.numRows() > 0;
  const figures: Figure[] = [];
  if (hasHistory) {
    figures.push({
      file: "training.svg",
      caption: "Training accuracy and loss",
      svg: await trainingFigure([run]),
    });
    figures.push({
      file: "validation.svg",
      caption: "Validation accuracy and loss",
      svg: await validationFigure([run]),
    });
  }
  if (hasGradients) {
    figures.push({
      file: "gradients.svg",
      caption: "Gradient magnitude by layer",
      svg: await gradientFigure([run]),
    });
  }
  if (run.confusion) {
    figures.push({
      file: "confusion.svg",
      caption: "Confusion matrix (test set)",
      svg: await confusionFigure(run.confusion),
    });
  }
  const fig = await writeFigures(dir, figures);
  files.push(...fig.files);

  const table = paperTable([run]);
  const norms = layerNormTable([run], { lastEpoch: true }).select("depth", "layer", "norm");
  const md = [
    `# Run ${run.name}\n`,
    run.summary ? "## Summary\n\n" + markdownTable(keyValue(run)) : "",
    "## Results (Table I layout)\n\n" + paperMarkdown(table),
    "## Figures\n\n" + (fig.markdown || "No history, gradients or confusion matrix recorded.\n"),
    hasHistory ? "## Epoch history\n\n" + markdownTable(run.history) : "",
    rows ? "## Classification report\n\n" + markdownTable(classReportTable(rows)) : "",
    hasGradients ? "## Mean gradient norm per layer (last epoch)\n\n" + markdownTable(norms) : "",
  ].filter((s) => s !== "").join("\n");
  const reportPath = join(dir, "report.md");
  await Deno.writeTextFile(reportPath, md);
  files.push(reportPath);

  const text = [
    `Run ${run.name} (${dir})`,
    formatTable(table, { formats: PAPER_FORMATS }),
    hasHistory ? formatTable(run.history) : "",
    rows ? formatClassificationReport(rows) : "",
    hasHistory ? historyCharts([run], options) : "",
    hasGradients ? gradientChart([run], options) : "",
    hasHistory ? lrChart([run], options) : "",
  ].filter((s) => s !== "").join("\n");
  return { kind: "run", dir, files, text };
}
