// skiplab dashboard: the line charts of the run and compare pages as Vega-Lite specifications,
// drawn by vega_chart.js like every other chart (one chart language with the report's figures).
"use strict";
globalThis.skiplab = globalThis.skiplab ?? {};
(() => {
  const S = globalThis.skiplab;
  /** Vega's category10, the scheme of the report's figures (analysis/_figure_parts.ts). */
  S.PALETTE = [
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
  ];
  const DASH = [5, 3], SOLID = [1, 0];

  /**
   * The ticks of a log axis over values `ys` (its domain niced to whole decades): the powers
   * of ten, with 2× and 5× where fewer than three would show, so the axis reads.
   */
  function logTicks(ys) {
    // Loops, not Math.min(...ys): a spread of 100,000 values overflows the stack.
    const lo = ys.reduce((m, v) => (v < m ? v : m), Infinity);
    const hi = ys.reduce((m, v) => (v > m ? v : m), -Infinity);
    const e0 = Math.floor(Math.log10(lo)), e1 = Math.max(e0 + 1, Math.ceil(Math.log10(hi)));
    const decades = Array.from({ length: e1 - e0 + 1 }, (_, i) => e0 + i);
    const ticks = decades.map((e) => 10 ** e);
    if (ticks.length >= 3) return ticks;
    return decades.flatMap((e) => [1, 2, 5].map((m) => Number((m * 10 ** e).toPrecision(3))))
      .filter((t) => t <= 10 ** e1);
  }

  /** A log axis over positive values `ys`: {@link logTicks}, small ones as 1e-4 (Vega-Lite `axis`). */
  S.logAxis = (ys) =>
    ys.length === 0 ? {} : {
      values: logTicks(ys),
      labelExpr: "datum.value < 1e-3 ? format(datum.value, '.0e') : format(datum.value, '~g')",
    };

  /**
   * The Vega-Lite specification of a line chart: `series` = [{label, points: [[x, y]…],
   * color?, dash?, members?}], non-finite (and with `logY`, non-positive) values left out.
   * A point [x, y, low, high, n] is a mean over n runs with its band low–high, drawn shaded;
   * `members` ([{label, points}]) are the runs behind a mean, thin lines in its colour shown
   * while the chart's signal `seeds` is true. `percent` formats y as a percent whose tick
   * precision follows the tick spacing (d3's tickFormat: 16.5% beside 16.6%, never two
   * "17%"); `step` holds each value until the next point (the learning rate); `legend` false
   * leaves the legend to the page. Hover shows each point's values.
   * Returns null when no point is left to draw.
   */
  S.lineSpec = (
    { series, xLabel, yLabel, logY = false, percent = false, step = false, legend = true },
  ) => {
    const ok = (y) => Number.isFinite(y) && (!logY || y > 0);
    const banded = series.some((s) => s.points.some((p) => p.length > 2));
    const values = series.flatMap((s) => [
      ...s.points.filter(([x, y]) => Number.isFinite(x) && ok(y)).map(([x, y, lo, hi, n]) => ({
        x,
        y,
        series: s.label,
        ...(ok(lo) && ok(hi) && { lo, hi }),
        ...(banded && { n: n ?? 1 }),
      })),
      ...(s.members ?? []).flatMap((m) =>
        m.points.filter(([x, y]) => Number.isFinite(x) && ok(y))
          .map(([x, y]) => ({ x, y, series: s.label, member: m.label }))
      ),
    ]);
    if (!values.some((v) => v.member === undefined)) return null;
    const domain = series.map((s) => s.label);
    const key = legend
      ? { orient: "bottom", symbolType: "stroke", symbolStrokeWidth: 2, labelLimit: 360 }
      : null;
    const byLabel = (f) => ({
      field: "series",
      type: "nominal",
      title: null,
      legend: key,
      scale: f,
    });
    const whole = values.every((v) => Number.isInteger(v.x));
    const encoding = {
      x: {
        field: "x",
        type: "quantitative",
        title: xLabel,
        scale: { zero: false, nice: false },
        axis: whole ? { tickMinStep: 1, format: "d" } : {},
      },
      y: {
        field: "y",
        type: "quantitative",
        title: yLabel + (logY ? " (log)" : ""),
        scale: logY ? { type: "log" } : { zero: false },
        ...(percent ? { axis: { format: "%" } } : {}),
        ...(logY
          ? {
            axis: S.logAxis(
              values.flatMap((v) => (v.lo === undefined ? [v.y] : [v.y, v.lo, v.hi])),
            ),
          }
          : {}),
      },
      color: byLabel({ domain, range: series.map((s, i) => s.color ?? S.PALETTE[i % 10]) }),
      // Same field and title as the colour: Vega-Lite merges both into one legend.
      strokeDash: byLabel({ domain, range: series.map((s) => (s.dash ? DASH : SOLID)) }),
    };
    const yFormat = percent ? ".2%" : logY ? ".3~e" : ".4~f";
    const tooltip = (member) => [
      { field: "series", title: "series" },
      ...(member ? [{ field: "member", title: "run" }] : []),
      { field: "x", title: xLabel, format: whole ? "d" : ".4~f" },
      { field: "y", title: banded && !member ? `mean ${yLabel}` : yLabel, format: yFormat },
      ...(banded && !member ? [{ field: "n", title: "runs" }] : []),
    ];
    const curve = step ? "step-after" : "linear";
    const main = { filter: "!isValid(datum.member)" };
    const members = { filter: "seeds && isValid(datum.member)" };
    const hasMembers = values.some((v) => v.member !== undefined);
    return {
      width: 400,
      height: 200,
      data: { values },
      ...(hasMembers && { params: [{ name: "seeds", value: false }] }),
      encoding,
      layer: [
        ...(values.some((v) => v.lo !== undefined)
          ? [{
            // The spread over seeds: mean ± one sample standard deviation.
            transform: [{ filter: "isValid(datum.lo) && !isValid(datum.member)" }],
            mark: { type: "area", opacity: 0.18, interpolate: curve },
            encoding: { y: { field: "lo" }, y2: { field: "hi" }, strokeDash: { value: SOLID } },
          }]
          : []),
        ...(hasMembers
          ? [
            {
              transform: [members],
              mark: { type: "line", strokeWidth: 1, opacity: 0.55, interpolate: curve },
              encoding: { detail: { field: "member" } },
            },
            {
              transform: [members],
              mark: { type: "point", filled: true, size: 12, opacity: 0.55 },
              encoding: { strokeDash: { value: SOLID }, tooltip: tooltip(true) },
            },
          ]
          : []),
        {
          transform: [main],
          mark: { type: "line", strokeWidth: 1.8, interpolate: curve },
        },
        {
          transform: [main],
          mark: { type: "point", filled: true, size: 30 },
          encoding: { strokeDash: { value: SOLID }, tooltip: tooltip(false) },
        },
      ],
    };
  };

  /**
   * A figure (`data-chart=id`) with the Vega line chart of {@link S.lineSpec}'s options,
   * or "nothing recorded yet" when there is no point to draw.
   */
  S.lineChart = ({ id, title, ...options }) => {
    const spec = S.lineSpec(options);
    if (spec) {
      const fig = S.vegaChart({ id, title, spec });
      if (spec.params) fig.dataset.seeds = "1";
      return fig;
    }
    return S.h(
      "figure",
      { class: "chart", "data-chart": id, "data-ready": "empty" },
      S.h("figcaption", null, title),
      S.h("p", { class: "empty" }, "nothing recorded yet"),
    );
  };

  /** An HTML legend: one swatch and label per series ({label, color, dash?}). */
  S.legend = (series) =>
    S.h(
      "div",
      { class: "legend" },
      series.map((s) =>
        S.h(
          "span",
          { class: "key" },
          S.h("i", {
            style: s.dash ? `border-top-color:${s.color}` : `background:${s.color}`,
            class: s.dash ? "dash" : null,
          }),
          s.label,
        )
      ),
    );
})();
