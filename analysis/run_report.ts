/**
 * Re-renders one run directory from its files: classes.csv, figures/*.svg,
 * report.md and the terminal text.
 * @module
 */
import * as aq from "arquero";
import type { ColumnTable } from "arquero";
import { join } from "node:path";
import { RUN_FILES, writeClasses, writeFigure, writeReport } from "../rundir/mod.ts";
import { gradientChart, historyCharts, lrChart, type RunChartOptions } from "./charts.ts";
import { trainingFigure, validationFigure } from "./curve_figures.ts";
import { confusionFigure, gradientFigure } from "./figures.ts";
import {
  classificationReport,
  type ClassReportRow,
  formatClassificationReport,
} from "./metrics.ts";
import { paperMarkdown, paperTable, paperText } from "./paper_table.ts";
import { readRun, type RunData } from "./run_files.ts";
import { formatTable, markdownTable } from "./table_format.ts";
import { classReportTable, layerNormTable } from "./tables.ts";

/** What a report rendering wrote and what it shows in a terminal. */
export interface ReportResult {
  /** `run` for a run directory, `suite` for a suite directory, `sweep` for a sweep directory. */
  readonly kind: "run" | "suite" | "sweep";
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
  /** Caption and alt text in report.md: one line saying what the figure shows. */
  readonly caption: string;
  /** Heading above the figure; without it the caption is the heading. */
  readonly title?: string;
  /** The SVG document. */
  readonly svg: string;
}

/** Writes figures under `dir/figures/` and returns the paths and the Markdown that embeds them. */
export async function writeFigures(
  dir: string,
  figures: readonly Figure[],
): Promise<{ files: string[]; markdown: string }> {
  const files: string[] = [];
  for (const f of figures) files.push(await writeFigure(dir, f.file, f.svg));
  const markdown = figures
    .map((f) =>
      f.title === undefined
        ? `### ${f.caption}\n\n![${f.caption}](${RUN_FILES.figures}/${f.file})\n`
        : `### ${f.title}\n\n![${f.caption}](${RUN_FILES.figures}/${f.file})\n\n${f.caption}\n`
    )
    .join("\n");
  return { files, markdown };
}

function classRows(run: RunData): readonly ClassReportRow[] | undefined {
  if (run.confusion) return classificationReport(run.confusion.matrix, run.confusion.classNames);
  return run.classes;
}

/** The summary as key/value rows; nested facts flattened (`architecture.skip`), the recipe left to config.yaml. */
function keyValue(run: RunData): ColumnTable {
  const rows: [string, string][] = [];
  const walk = (prefix: string, v: unknown) => {
    if (v && typeof v === "object" && !Array.isArray(v)) {
      for (const [k, x] of Object.entries(v)) walk(prefix ? `${prefix}.${k}` : k, x);
    } else rows.push([prefix, Array.isArray(v) ? v.join(", ") : String(v)]);
  };
  const { class_names: _c, recipe: _r, ...rest } = run.summary ?? ({} as Record<string, never>);
  walk("", rest);
  return aq.table({ key: rows.map((r) => r[0]), value: rows.map((r) => r[1]) });
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
  const rows = classRows(run);
  if (run.confusion && rows && !run.classes) {
    await writeClasses(dir, rows);
    files.push(join(dir, RUN_FILES.classes));
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
  const norms = layerNormTable([run], { point: "final" }).select("depth", "layer", "norm");
  const md = [
    `# Run ${run.name}\n`,
    run.summary ? "## Summary\n\n" + markdownTable(keyValue(run)) : "",
    "## Results (Table I layout)\n\n" + paperMarkdown(table),
    "## Figures\n\n" + (fig.markdown || "No history, gradients or confusion matrix recorded.\n"),
    hasHistory ? "## Epoch history\n\n" + markdownTable(run.history) : "",
    rows ? "## Classification report\n\n" + markdownTable(classReportTable(rows)) : "",
    hasGradients
      ? "## Gradient norm per main-path layer (final weights)\n\n" + markdownTable(norms)
      : "",
  ].filter((s) => s !== "").join("\n");
  files.push(await writeReport(dir, md));

  const text = [
    `Run ${run.name} (${dir})`,
    paperText(table),
    hasHistory ? formatTable(run.history) : "",
    rows ? formatClassificationReport(rows) : "",
    hasHistory ? historyCharts([run], options) : "",
    hasGradients ? gradientChart([run], options) : "",
    hasHistory ? lrChart([run], options) : "",
  ].filter((s) => s !== "").join("\n");
  return { kind: "run", dir, files, text };
}
