/**
 * Several runs side by side: Table I and overlaid terminal curves.
 * @module
 */
import { basename } from "node:path";
import { gradientChart, historyCharts, lrChart, type RunChartOptions } from "./charts.ts";
import { paperTable, paperText } from "./paper_table.ts";
import { isSweepDir, readSweepIndex, sweepMemberDir } from "../rundir/mod.ts";
import { readRun } from "./run_files.ts";
import { bestSentence, formattedSweepTable, readSweep } from "./sweep_report.ts";
import { formatTable } from "./table_format.ts";

/**
 * Reads run directories and returns terminal text: a sweep directory's table
 * (one row per setting, mean ± std over seeds) and its members, then one Table I row per run,
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
  // A sweep directory stands for its members, and brings its table (one row per setting).
  const sweeps: string[] = [];
  const runDirs: string[] = [];
  for (const dir of dirs) {
    if (!await isSweepDir(dir)) {
      runDirs.push(dir);
      continue;
    }
    const sweep = await readSweep(dir);
    sweeps.push(
      [
        `Sweep ${dir}`,
        formatTable(formattedSweepTable(sweep.table, sweep.axes)),
        bestSentence(sweep.table) ?? "",
      ]
        .filter((s) => s !== "").join("\n"),
    );
    const index = await readSweepIndex(dir);
    for (const m of index.members) {
      if (!sweep.unfinished.includes(m.dir)) runDirs.push(sweepMemberDir(dir, m));
    }
  }
  const runs = await Promise.all(runDirs.map(readRun));
  // Every run is its own row and line, also runs of one name (seeds of one setting).
  const label = (r: (typeof runs)[number]) =>
    runs.filter((o) => o.name === r.name).length > 1 ? `${r.name} (${basename(r.dir)})` : r.name;
  const pick = (keep: (r: (typeof runs)[number]) => boolean) => {
    const kept = runs.filter(keep);
    return [kept, { ...options, settings: kept.map(label) }] as const;
  };
  const [withHistory, h] = pick((r) => r.history.numRows() > 0);
  const [withGradients, g] = pick((r) => r.gradients.numRows() > 0);
  return [
    ...sweeps,
    `Comparing ${runs.length} runs`,
    paperText(paperTable(runs, { settings: runs.map(label) })),
    withHistory.length > 0 ? historyCharts(withHistory, h) : "",
    withGradients.length > 0 ? gradientChart(withGradients, g) : "",
    withHistory.length > 0 ? lrChart(withHistory, h) : "",
  ].filter((s) => s !== "").join("\n");
}
