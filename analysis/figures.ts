/**
 * SVG figures analogous to the ResNet paper's Figures 1–5, rendered offline
 * with Vega-Lite and Vega (headless view, no canvas, no network): training
 * and validation curves, gradient magnitude by layer, the skip/no-skip
 * ablation curves and a confusion-matrix heatmap.
 * @module
 */
import * as vega from "vega";
import * as vl from "vega-lite";
import type { ConfusionData } from "../rundir/mod.ts";
import type { RunData } from "./run_files.ts";
import { layerNormTable } from "./tables.ts";

/** A Vega-Lite specification (any top-level form). */
export type FigureSpec = vl.TopLevelSpec;

/**
 * Renders a Vega-Lite specification to an SVG string without a browser.
 * @example
 * ```ts
 * import { renderSvg } from "./figures.ts";
 * const svg = await renderSvg({ data: { values: [{ x: 1, y: 2 }] }, mark: "point",
 *   encoding: { x: { field: "x", type: "quantitative" }, y: { field: "y", type: "quantitative" } } });
 * if (!svg.startsWith("<svg")) throw new Error("not an SVG");
 * ```
 */
export async function renderSvg(spec: FigureSpec): Promise<string> {
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * Whether a run trained a residual network without its skip connections, as
 * its summary.json records (`architecture.skip` false for a `resnet`). A run
 * without a summary, or a plain CNN, is not a no-skip ablation.
 */
export function isNoSkip(run: RunData): boolean {
  const a = run.summary?.architecture;
  return a?.family === "resnet" && !a.skip;
}

function checkRuns(runs: readonly RunData[], what: string): void {
  if (!Array.isArray(runs) || runs.length === 0) {
    throw new RangeError(
      `Cannot draw ${what}: 'runs' must hold at least one run, got ${runs?.length ?? runs}`,
    );
  }
}

function historyValues(
  runs: readonly RunData[],
  split: "train" | "val",
): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const run of runs) {
    const skip = isNoSkip(run) ? "without skips" : "with skips";
    for (const row of run.history.objects() as Record<string, number>[]) {
      for (const metric of ["accuracy", "loss"] as const) {
        const key = (split === "val" ? "val_" : "") + (metric === "accuracy" ? "acc" : "loss");
        const value = row[key];
        if (Number.isFinite(value)) {
          out.push({ run: run.name, epoch: row.epoch + 1, metric, value, skip });
        }
      }
    }
  }
  return out;
}

function runColor(runs: readonly RunData[]): Record<string, unknown> {
  return {
    field: "run",
    type: "nominal",
    title: "run",
    scale: { domain: runs.map((r) => r.name), scheme: "category10" },
  };
}

function curves(
  runs: readonly RunData[],
  split: "train" | "val",
  title: string,
  dashed: boolean,
): FigureSpec {
  const label = split === "train" ? "training" : "validation";
  const panel = (metric: "accuracy" | "loss") => ({
    width: 320,
    height: 220,
    title: `${label} ${metric}`,
    transform: [{ filter: { field: "metric", equal: metric } }],
    mark: { type: "line" as const, point: true },
    encoding: {
      x: {
        field: "epoch",
        type: "quantitative" as const,
        title: "epoch",
        axis: { tickMinStep: 1 },
      },
      y: {
        field: "value",
        type: "quantitative" as const,
        title: `${label} ${metric}`,
        scale: { zero: false },
      },
      color: runColor(runs),
      ...(dashed
        ? {
          strokeDash: {
            field: "skip",
            type: "nominal" as const,
            title: "skip connections",
            legend: {
              symbolType: "stroke",
              symbolStrokeWidth: 2,
              encode: { symbols: { update: { stroke: { value: "#444" } } } },
            },
          },
        }
        : {}),
    },
  });
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title,
    data: { values: historyValues(runs, split) },
    hconcat: [panel("accuracy"), panel("loss")],
    config: { background: "white" },
  } as FigureSpec;
}

/** Figure 1: training accuracy and loss per epoch (1-based on the axis), one line per run. */
export async function trainingFigure(runs: readonly RunData[]): Promise<string> {
  checkRuns(runs, "the training curves");
  return await renderSvg(curves(runs, "train", "Training accuracy and loss", false));
}

/** Figure 2: validation accuracy and loss per epoch, one line per run. */
export async function validationFigure(runs: readonly RunData[]): Promise<string> {
  checkRuns(runs, "the validation curves");
  return await renderSvg(curves(runs, "val", "Validation accuracy and loss", false));
}

/**
 * Figures 4 and 5: training (`split` "train") or validation curves of all runs,
 * runs without skip connections dashed.
 */
export async function ablationFigure(
  runs: readonly RunData[],
  split: "train" | "val",
): Promise<string> {
  checkRuns(runs, "the ablation curves");
  if (split !== "train" && split !== "val") {
    throw new RangeError(
      `Cannot draw the ablation curves: 'split' must be "train" or "val", got ${split}`,
    );
  }
  const what = split === "train" ? "Training" : "Validation";
  return await renderSvg(
    curves(
      runs,
      split,
      `Ablation: ${what.toLowerCase()} curves, with and without skip connections`,
      true,
    ),
  );
}

/**
 * Figure 3: gradient L2 norm per layer against its depth on the main path
 * (stem, block convolutions, classifier; the same layer at each depth in
 * resnet18 and resnet18_noskip), log y scale, one line per run, in two
 * panels: at initialisation (the first batch, before any update) and with
 * the final weights (one batch after training). Projection shortcuts are
 * not on this axis (see gradients.csv, `path` shortcut).
 */
export async function gradientFigure(runs: readonly RunData[]): Promise<string> {
  checkRuns(runs, "the gradient magnitudes");
  const panel = (point: "init" | "final", weights: string) =>
    (layerNormTable(runs, { point }).objects() as { norm: number }[])
      .filter((o) => o.norm > 0).map((o) => ({ ...o, weights }));
  const values = [...panel("init", "at initialisation"), ...panel("final", "final weights")];
  return await renderSvg({
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: "Gradient magnitude by main-path depth",
    data: { values },
    width: 300,
    height: 240,
    mark: { type: "line", point: true },
    encoding: {
      column: {
        field: "weights",
        type: "nominal",
        sort: ["at initialisation", "final weights"],
        title: null,
      },
      x: {
        field: "depth",
        type: "quantitative",
        title: "main-path depth (0 = stem)",
        scale: { nice: false },
        axis: { tickMinStep: 1 },
      },
      y: {
        field: "norm",
        type: "quantitative",
        title: "gradient L2 norm",
        scale: { type: "log" },
      },
      color: runColor(runs),
      tooltip: [{ field: "layer" }, { field: "norm" }],
    },
    config: { background: "white" },
  } as FigureSpec);
}

/** Confusion-matrix heatmap: actual class down, predicted class across, counts written in each cell. */
export async function confusionFigure(
  confusion: ConfusionData,
  title = "Confusion matrix",
): Promise<string> {
  const n = confusion.classNames.length;
  if (n === 0 || confusion.matrix.length !== n || confusion.matrix.some((r) => r.length !== n)) {
    throw new RangeError(
      `Cannot draw a confusion matrix: it must be ${n}x${n} like its class names, got ${confusion.matrix.length} rows`,
    );
  }
  const max = Math.max(...confusion.matrix.flat());
  const values = confusion.matrix.flatMap((row, i) =>
    row.map((count, j) => ({
      actual: confusion.classNames[i],
      predicted: confusion.classNames[j],
      count,
      dark: count > max / 2,
    }))
  );
  const order = [...confusion.classNames];
  const enc = {
    x: { field: "predicted", type: "nominal", sort: order, title: "predicted class" },
    y: { field: "actual", type: "nominal", sort: order, title: "actual class" },
  };
  return await renderSvg({
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title,
    data: { values },
    width: { step: 36 },
    height: { step: 36 },
    encoding: enc,
    layer: [
      {
        mark: "rect",
        encoding: {
          color: {
            field: "count",
            type: "quantitative",
            scale: { scheme: "blues" },
            title: "count",
          },
        },
      },
      {
        mark: { type: "text", fontSize: 10 },
        encoding: {
          text: { field: "count", type: "quantitative" },
          color: { condition: { test: "datum.dark", value: "white" }, value: "black" },
        },
      },
    ],
    config: { background: "white", axis: { labelAngle: 0 }, axisX: { labelAngle: -45 } },
  } as FigureSpec);
}
