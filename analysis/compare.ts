/**
 * Several runs side by side: Table I and overlaid terminal curves.
 * @module
 */
import { gradientChart, historyCharts, lrChart, type RunChartOptions } from "./charts.ts";
import { paperTable, paperText } from "./paper_table.ts";
import { readRun } from "./run_files.ts";

/**
 * Reads run directories and returns terminal text: one Table I row per run,
 * then accuracy and loss curves, gradient norm by depth and learning rate,
 * one series per run. Writes nothing.
 * @throws {RangeError} when `dirs` is empty.
 * @example
 * ```ts ignore
 * import { compareRuns } from "./compare.ts";
 * console.log(await compareRuns(["runs/a-baseline_cnn", "runs/b-resnet18"]));
 * ```
 */
export async function compareRuns(
  dirs: readonly string[],
  options: RunChartOptions = {},
): Promise<string> {
  if (!Array.isArray(dirs) || dirs.length === 0) {
    throw new RangeError(
      `Cannot compare runs: 'dirs' must name at least one run directory, got ${
        JSON.stringify(dirs)
      }`,
    );
  }
  const runs = await Promise.all(dirs.map(readRun));
  const withHistory = runs.filter((r) => r.history.numRows() > 0);
  const withGradients = runs.filter((r) => r.gradients.numRows() > 0);
  return [
    `Comparing ${runs.length} runs`,
    paperText(paperTable(runs)),
    withHistory.length > 0 ? historyCharts(withHistory, options) : "",
    withGradients.length > 0 ? gradientChart(withGradients, options) : "",
    withHistory.length > 0 ? lrChart(withHistory, options) : "",
  ].filter((s) => s !== "").join("\n");
}
