/**
 * Re-renders the files of a run or suite directory into figures, report.md and terminal text.
 * @module
 */
import { join } from "node:path";
import { hasRunFile, SUITE_FILES, SWEEP_FILES } from "../rundir/mod.ts";
import type { RunChartOptions } from "./charts.ts";
import { renderRunReport, type ReportResult } from "./run_report.ts";
import { renderSuiteReport } from "./suite_report.ts";
import { renderSweepReport } from "./sweep_report.ts";

export type { ReportResult } from "./run_report.ts";

/**
 * Renders a directory from its files alone. A directory with suite.json is a
 * suite (every member is rendered, then Table I, the multi-run figures and
 * the suite's report.md); one with sweep.json a sweep (sweep.csv, sweep.md,
 * a figure per swept key, report.md); one with history.csv or summary.json is a run
 * (classes.csv if missing, figures/*.svg, report.md). Returns the terminal
 * text (tables and charts) for the caller to print.
 * @throws {Deno.errors.NotFound} when `dir` is neither a run nor a suite directory.
 * @example
 * ```ts ignore
 * import { renderReport } from "./report.ts";
 * const { text, files } = await renderReport("runs/2025-01-01-resnet18");
 * console.log(text);
 * ```
 */
export async function renderReport(
  dir: string,
  options: RunChartOptions = {},
): Promise<ReportResult> {
  if (typeof dir !== "string" || dir === "") {
    throw new TypeError(
      `Cannot render a report: 'dir' must be a directory path, got ${JSON.stringify(dir)}`,
    );
  }
  const info = await Deno.stat(dir).catch(() => undefined);
  if (!info?.isDirectory) {
    throw new Deno.errors.NotFound(`Cannot render a report: '${dir}' is not a directory`);
  }
  const has = (f: string) => Deno.stat(join(dir, f)).then(() => true, () => false);
  if (await has(SUITE_FILES.suite)) return renderSuiteReport(dir, options);
  if (await has(SWEEP_FILES.sweep)) {
    return { kind: "sweep", dir, ...(await renderSweepReport(dir)) };
  }
  if ((await hasRunFile(dir, "history")) || (await hasRunFile(dir, "summary"))) {
    return renderRunReport(dir, options);
  }
  throw new Deno.errors.NotFound(
    `Cannot render a report: '${dir}' holds neither suite.json (a suite) nor history.csv or summary.json (a run)`,
  );
}
