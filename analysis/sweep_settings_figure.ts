/**
 * A sweep over two or more keys, seen whole: each setting as one point in the
 * plane of two swept keys, coloured by its mean best validation accuracy over
 * seeds, so the good region of the grid reads at a glance (W&B's sweep
 * scatter). The dashboard's sweep page and the sweep report draw it.
 * @module
 */
import type { SweptValue } from "../rundir/mod.ts";
import type { MemberResult } from "./sweep_table.ts";
import type { FigureSpec } from "./figures.ts";

/** A log scale for rates and decays, and for positive numbers spanning 20× or more. */
function scaleFor(axis: string, xs: readonly SweptValue[]): Record<string, unknown> {
  if (!xs.every((x) => typeof x === "number")) return {};
  const nums = xs as number[];
  let lo = Infinity, hi = -Infinity;
  for (const n of nums) [lo, hi] = [Math.min(lo, n), Math.max(hi, n)];
  const log = lo > 0 && (/(^|\.)(lr|weight_decay)$/.test(axis) || hi / lo >= 20);
  // Padding keeps the circles at the ends of the grid inside the plot.
  return { scale: log ? { type: "log", padding: 24 } : { zero: false, padding: 24 } };
}

/**
 * The Vega-Lite specification of the settings of a sweep over `axes` (at
 * least two): the first two keys as x and y, one point per setting coloured
 * by its mean best validation accuracy, sized by its number of seeds.
 *
 * @throws {RangeError} when fewer than two keys are swept
 */
export function sweepSettingsSpec(
  results: readonly MemberResult[],
  axes: readonly string[],
): FigureSpec {
  if (axes.length < 2) {
    throw new RangeError(`sweepSettingsSpec: needs two swept keys, got ${axes.length}`);
  }
  const [kx, ky] = axes;
  const bySetting = new Map<string, MemberResult[]>();
  for (const r of results) bySetting.set(r.setting, [...bySetting.get(r.setting) ?? [], r]);
  const values = [...bySetting].map(([setting, rs]) => {
    const accs = rs.map((r) => r.best_val_acc).filter(Number.isFinite);
    return {
      setting,
      x: rs[0].values[kx],
      y: rs[0].values[ky],
      acc: accs.length ? accs.reduce((a, b) => a + b, 0) / accs.length : null,
      n: rs.length,
    };
  });
  const type = (k: "x" | "y") =>
    values.every((v) => typeof v[k] === "number") ? "quantitative" : "nominal";
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: `Settings: ${kx} × ${ky}, coloured by mean best validation accuracy` +
      (axes.length > 2 ? ` (also swept: ${axes.slice(2).join(", ")})` : ""),
    data: { values },
    width: 360,
    height: 260,
    mark: { type: "circle", opacity: 0.9, stroke: "#333", strokeWidth: 0.5 },
    encoding: {
      x: { field: "x", type: type("x"), title: kx, ...scaleFor(kx, values.map((v) => v.x)) },
      y: { field: "y", type: type("y"), title: ky, ...scaleFor(ky, values.map((v) => v.y)) },
      color: {
        field: "acc",
        type: "quantitative",
        title: "best val acc",
        scale: { scheme: "viridis" },
        legend: { format: ".1%" },
      },
      size: { field: "n", type: "quantitative", title: "seeds", legend: null },
      tooltip: [
        { field: "setting" },
        { field: "acc", title: "mean best val acc", format: ".2%" },
        { field: "n", title: "seeds" },
      ],
    },
    config: { background: "white" },
  } as FigureSpec;
}
