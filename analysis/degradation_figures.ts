/**
 * The figures of the degradation study: the analogue of He et al. 2016's
 * Figure 6 and the gradient flow at initialisation on the main-path axis.
 * @module
 */
import type { DegradationRun } from "./degradation.ts";
import { type FigureSpec, renderSvg } from "./figures.ts";

/** `plain-56`, `ResNet-56`: the paper's spelling of an architecture. */
export function architectureLabel(r: { family: "plain" | "resnet"; depth: number }): string {
  return `${r.family === "plain" ? "plain" : "ResNet"}-${r.depth}`;
}

/** Mean of each curve point over the seeds of one architecture (points matched by iteration). */
function meanCurves(runs: readonly DegradationRun[]): Record<string, unknown>[] {
  const sums = new Map<string, { family: string; depth: number; it: number; v: number[] }>();
  for (const r of runs) {
    for (const p of r.curve) {
      for (const [split, value] of [["train", p.train_error], ["test", p.val_error]] as const) {
        const key = `${r.family}:${r.depth}:${p.iteration}:${split}`;
        const s = sums.get(key) ?? { family: r.family, depth: r.depth, it: p.iteration, v: [] };
        s.v.push(value);
        sums.set(key, s);
      }
    }
  }
  return [...sums].map(([key, s]) => ({
    panel: s.family === "plain" ? "plain networks" : "ResNets",
    net: architectureLabel({ family: s.family as "plain", depth: s.depth }),
    depth: s.depth,
    split: key.endsWith(":train") ? "training error (thin)" : "held-out error (bold)",
    iteration: s.it,
    error: (100 * s.v.reduce((a, b) => a + b, 0)) / s.v.length,
  }));
}

/**
 * The Figure 6 analogue: error (%) against iterations, plain nets left and
 * ResNets right, one colour per depth; training error thin (mean over the
 * steps since the previous point), held-out error bold (the 5k validation
 * images), each averaged over seeds.
 */
export async function degradationFigure(runs: readonly DegradationRun[]): Promise<string> {
  const depths = [...new Set(runs.map((r) => r.depth))].sort((a, b) => a - b);
  return await renderSvg({
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: "Training (thin) and held-out (bold) error on CIFAR-10 (cf. He et al. 2016, Fig. 6)",
    data: { values: meanCurves(runs) },
    facet: {
      column: { field: "panel", type: "nominal", sort: ["plain networks", "ResNets"], title: null },
    },
    resolve: { scale: { y: "shared" } },
    spec: {
      width: 320,
      height: 240,
      mark: { type: "line", point: false },
      encoding: {
        x: { field: "iteration", type: "quantitative", title: "iterations" },
        y: { field: "error", type: "quantitative", title: "error (%)", scale: { zero: false } },
        color: {
          field: "depth",
          type: "ordinal",
          title: "layers",
          scale: { domain: depths, scheme: "viridis" },
        },
        detail: { field: "net", type: "nominal" },
        strokeWidth: {
          field: "split",
          type: "ordinal",
          sort: ["training error (thin)", "held-out error (bold)"],
          legend: { labelLimit: 220 },
          title: null,
          scale: { domain: ["training error (thin)", "held-out error (bold)"], range: [1, 3.5] },
        },
      },
    },
    config: { background: "white" },
  } as FigureSpec);
}

/**
 * Gradient L2 norm at initialisation (first batch, before any update) by
 * main-path depth, log scale, one line per architecture (mean over seeds):
 * the same layers at the same depths in plainN and resnetN.
 */
export async function initGradientFigure(runs: readonly DegradationRun[]): Promise<string> {
  const sums = new Map<string, { net: string; depth: number; v: number[] }>();
  for (const r of runs) {
    for (const g of r.initGradients) {
      const net = architectureLabel(r), key = `${net}:${g.depth}`;
      const s = sums.get(key) ?? { net, depth: g.depth, v: [] };
      s.v.push(g.norm);
      sums.set(key, s);
    }
  }
  const values = [...sums.values()].map((s) => ({
    net: s.net,
    depth: s.depth,
    norm: s.v.reduce((a, b) => a + b, 0) / s.v.length,
  })).filter((v) => v.norm > 0);
  return await renderSvg({
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: "Gradient magnitude at initialisation by main-path depth",
    data: { values },
    width: 420,
    height: 260,
    mark: { type: "line", point: true },
    encoding: {
      x: { field: "depth", type: "quantitative", title: "main-path depth (0 = stem)" },
      y: { field: "norm", type: "quantitative", title: "gradient L2 norm", scale: { type: "log" } },
      color: { field: "net", type: "nominal", title: "network", scale: { scheme: "category10" } },
    },
    config: { background: "white" },
  } as FigureSpec);
}
