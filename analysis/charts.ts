/**
 * Terminal charts of runs: accuracy and loss per epoch, gradient norm against
 * layer depth, and the learning-rate schedule.
 * @module
 */
import { type ChartSeries, lineChart } from "./line_chart.ts";
import { groupBySetting } from "./paper_table.ts";
import type { RunData } from "./run_files.ts";
import { mean } from "./stats.ts";
import { layerNormTable } from "./tables.ts";

export {
  type ChartSeries,
  defaultColor,
  lineChart,
  type LineChartOptions,
  terminalWidth,
} from "./line_chart.ts";

/** Options shared by the run charts. */
export interface RunChartOptions {
  /**
   * ANSI colours.
   * @default defaultColor() (off when NO_COLOR is set or stdout is not a TTY)
   */
  readonly color?: boolean;
  /**
   * Total width in characters.
   * @default terminalWidth() (80 when not a terminal)
   */
  readonly width?: number;
  /**
   * Rows of each plot area.
   * @default 10
   */
  readonly height?: number;
  /**
   * The setting each run is a seed of: runs of one setting are drawn as one
   * line, their mean. @default each run's name
   */
  readonly settings?: readonly string[];
}

/**
 * One series per setting: at each x, the mean of its runs' finite values,
 * named `<setting> (mean of n)` when it has several runs.
 */
function settingSeries(
  runs: readonly RunData[],
  settings: readonly string[] | undefined,
  points: (run: RunData) => { x: number[]; y: number[] },
): ChartSeries[] {
  return groupBySetting(runs, settings).map(({ setting, runs }) => {
    const at = new Map<number, number[]>();
    for (const run of runs) {
      const { x, y } = points(run);
      x.forEach((v, i) => {
        if (Number.isFinite(y[i])) at.set(v, [...(at.get(v) ?? []), y[i]]);
      });
    }
    const xs = [...at.keys()].sort((a, b) => a - b);
    return {
      name: runs.length > 1 ? `${setting} (mean of ${runs.length})` : setting,
      x: xs,
      y: xs.map((v) => mean(at.get(v)!)),
    };
  });
}

/** A history column that {@link metricChart} can draw. */
export type HistoryMetric = "acc" | "loss" | "val_acc" | "val_loss" | "lr";

const TITLES: Record<HistoryMetric, string> = {
  acc: "Training accuracy",
  loss: "Training loss",
  val_acc: "Validation accuracy",
  val_loss: "Validation loss",
  lr: "Learning rate",
};

function column(run: RunData, name: string): number[] {
  return run.history.numRows() === 0
    ? []
    : Array.from(run.history.array(name) as ArrayLike<number>);
}

/**
 * One history metric per epoch, one series per run.
 * @example
 * ```ts
 * import { metricChart } from "./charts.ts";
 * metricChart([], "acc", { color: false }); // "Training accuracy\n  (no data to plot)\n"
 * ```
 */
export function metricChart(
  runs: readonly RunData[],
  metric: HistoryMetric,
  options: RunChartOptions = {},
): string {
  if (!(metric in TITLES)) {
    throw new RangeError(
      `Cannot chart metric '${metric}': it must be one of ${Object.keys(TITLES).join(", ")}`,
    );
  }
  const series = settingSeries(
    runs,
    options.settings,
    (r) => ({ x: column(r, "epoch"), y: column(r, metric) }),
  );
  return lineChart(series, {
    ...options,
    title: TITLES[metric],
    xLabel: "epoch",
    logY: metric === "lr",
  });
}

/**
 * Accuracy and loss per epoch. For one run: two charts (accuracy, loss), each
 * with a train and a val series; for several: four charts (training and
 * validation accuracy and loss), one series per setting (the mean of its runs).
 */
export function historyCharts(runs: readonly RunData[], options: RunChartOptions = {}): string {
  if (runs.length === 1) {
    const r = runs[0], x = column(r, "epoch");
    const pair = (title: string, train: string, val: string): string =>
      lineChart(
        [{ name: "train", x, y: column(r, train) }, { name: "val", x, y: column(r, val) }],
        {
          ...options,
          title: `${title} of ${r.name}`,
          xLabel: "epoch",
        },
      );
    return [pair("Accuracy", "acc", "val_acc"), pair("Loss", "loss", "val_loss")].join("\n");
  }
  return (["acc", "val_acc", "loss", "val_loss"] as const).map((m) => metricChart(runs, m, options))
    .join("\n");
}

/**
 * Gradient L2 norm of each layer against its main-path depth (0 = stem; the
 * same layer at each depth in resnet18 and resnet18_noskip), log10 scale,
 * one series per setting (the mean of its runs): a chart at initialisation (the first batch, before any
 * update), then one with the final weights. A point without rows is left out.
 */
export function gradientChart(runs: readonly RunData[], options: RunChartOptions = {}): string {
  const points = [["init", "at initialisation"], ["final", "final weights"]] as const;
  return points.flatMap(([point, label]) => {
    const series = settingSeries(runs, options.settings, (r) => {
      const rows = layerNormTable([r], { point }).objects() as { depth: number; norm: number }[];
      return { x: rows.map((o) => o.depth), y: rows.map((o) => o.norm) };
    }).filter((s) => s.x.length > 0);
    if (series.length === 0) return [];
    return [lineChart(series, {
      ...options,
      title: `Gradient norm by main-path depth (${label})`,
      xLabel: "main-path depth",
      logY: true,
    })];
  }).join("\n");
}

/** The learning rate per epoch, log10 scale, one series per run. */
export function lrChart(runs: readonly RunData[], options: RunChartOptions = {}): string {
  return metricChart(runs, "lr", options);
}
