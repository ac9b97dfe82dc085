/**
 * SVG figures rendered offline with Vega-Lite and Vega (headless view, no
 * canvas, no network): gradient magnitude by layer (the paper's Figure 3)
 * and a confusion-matrix heatmap; the curves of Figures 1, 2, 4 and 5 are in
 * curve_figures.ts.
 * @module
 */
import * as vega from "vega";
import * as vl from "vega-lite";
import type { ConfusionData } from "../rundir/mod.ts";
import { checkRuns, runColor } from "./_figure_parts.ts";
import { groupBySetting, type SettingOptions } from "./paper_table.ts";
import type { RunData } from "./run_files.ts";
import { mean } from "./stats.ts";
import { layerNormTable } from "./tables.ts";
import { maxOf, minOf } from "../core/extent.ts";

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

/** Per setting, panel and depth: the mean gradient norm over seeds and its range (min to max). */
function gradientValues(
  runs: readonly RunData[],
  settings: readonly string[] | undefined,
): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const group of groupBySetting(runs, settings)) {
    for (
      const [point, weights] of [["init", "at initialisation"], ["final", "final weights"]] as const
    ) {
      const byDepth = new Map<number, { layer: string; norms: number[] }>();
      for (const o of layerNormTable(group.runs, { point }).objects() as GradRow[]) {
        if (!(o.norm > 0)) continue;
        if (!byDepth.has(o.depth)) byDepth.set(o.depth, { layer: o.layer, norms: [] });
        byDepth.get(o.depth)!.norms.push(o.norm);
      }
      for (const [depth, { layer, norms }] of byDepth) {
        out.push({
          run: group.setting,
          weights,
          depth,
          layer,
          norm: mean(norms),
          n: norms.length,
          ...(norms.length > 1 && { low: minOf(norms), high: maxOf(norms) }),
        });
      }
    }
  }
  return out;
}

interface GradRow {
  depth: number;
  layer: string;
  norm: number;
}

/**
 * Figure 3: gradient L2 norm per layer against its depth on the main path
 * (stem, block convolutions, classifier; the same layer at each depth in
 * resnet18 and resnet18_noskip), log y scale, one line per setting (the
 * mean over its seeds, with a band from the lowest to the highest seed), in
 * two panels: at initialisation (the first batch, before any update) and
 * with the final weights (one batch after training). Projection shortcuts
 * are not on this axis (see gradients.csv, `path` shortcut).
 */
export async function gradientFigure(
  runs: readonly RunData[],
  options: SettingOptions = {},
): Promise<string> {
  checkRuns(runs, "the gradient magnitudes");
  return await renderSvg(gradientSpec(runs, options));
}

/** The Vega-Lite specification of {@linkcode gradientFigure} (the dashboard draws it too). */
export function gradientSpec(runs: readonly RunData[], options: SettingOptions = {}): FigureSpec {
  const names = groupBySetting(runs, options.settings).map((g) => g.setting);
  const y = {
    field: "norm",
    type: "quantitative",
    title: "gradient L2 norm",
    scale: { type: "log" },
  };
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: "Gradient magnitude by main-path depth",
    data: { values: gradientValues(runs, options.settings) },
    facet: {
      column: {
        field: "weights",
        type: "nominal",
        sort: ["at initialisation", "final weights"],
        title: null,
      },
    },
    spec: {
      width: 300,
      height: 240,
      encoding: {
        x: {
          field: "depth",
          type: "quantitative",
          title: "main-path depth (0 = stem)",
          scale: { nice: false },
          axis: { tickMinStep: 1 },
        },
        color: runColor(names),
      },
      layer: [
        {
          transform: [{ filter: "isValid(datum.low)" }],
          mark: { type: "area", opacity: 0.2 },
          encoding: { y: { ...y, field: "low" }, y2: { field: "high" } },
        },
        {
          mark: { type: "line", point: true },
          encoding: {
            y,
            tooltip: [
              { field: "run", title: "setting" },
              { field: "layer" },
              { field: "norm", format: ".3~e" },
              { field: "n", title: "seeds" },
            ],
          },
        },
      ],
    },
    config: { background: "white" },
  } as FigureSpec;
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
  const max = maxOf(confusion.matrix.flat());
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
