// skiplab dashboard: line charts as SVG (one point marker per value, a legend by series).
"use strict";
globalThis.skiplab = globalThis.skiplab ?? {};
(() => {
  const S = globalThis.skiplab;
  const W = 440, H = 250, M = { l: 56, r: 12, t: 10, b: 34 };
  /** Colours by series index (Tableau 10). */
  S.COLORS = [
    "#4e79a7",
    "#f28e2b",
    "#e15759",
    "#76b7b2",
    "#59a14f",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#bab0ac",
  ];

  function niceTicks(lo, hi, count = 5) {
    if (lo === hi) (lo -= 0.5, hi += 0.5);
    const raw = (hi - lo) / count, mag = 10 ** Math.floor(Math.log10(raw));
    const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
    const ticks = [];
    for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) {
      ticks.push(Number(v.toPrecision(12)));
    }
    return ticks;
  }
  const label = (v) => {
    const a = Math.abs(v);
    return a !== 0 && (a < 1e-3 || a >= 1e5)
      ? v.toExponential(0)
      : String(Number(v.toPrecision(4)));
  };

  /**
   * A line chart: `series` = [{label, points: [[x, y]…], color?, dash?}]. Non-finite
   * y values are left out; `logY` draws log10 of positive values. Returns a figure
   * with `data-chart=id`, one `circle.pt[data-series]` per drawn point, and a legend.
   */
  S.lineChart = (
    { id, title, xLabel, yLabel, series, logY = false, yFormat, legend = true },
  ) => {
    const h = S.h;
    const ok = (y) => Number.isFinite(y) && (!logY || y > 0);
    const drawn = series.map((s, i) => ({
      ...s,
      color: s.color ?? S.COLORS[i % S.COLORS.length],
      points: s.points.filter(([x, y]) => Number.isFinite(x) && ok(y)),
    }));
    const all = drawn.flatMap((s) => s.points);
    const fig = h("figure", { class: "chart", "data-chart": id }, h("figcaption", null, title));
    if (all.length === 0) {
      fig.append(h("p", { class: "empty" }, "nothing recorded yet"));
      return fig;
    }
    const ty = (y) => (logY ? Math.log10(y) : y);
    const xs = all.map((p) => p[0]), ys = all.map((p) => ty(p[1]));
    // Loops, not Math.min(...xs): a spread of 100,000 points overflows the stack.
    const lo = (vs) => vs.reduce((m, v) => (v < m ? v : m), Infinity);
    const hi = (vs) => vs.reduce((m, v) => (v > m ? v : m), -Infinity);
    let [x0, x1] = [lo(xs), hi(xs)];
    let [y0, y1] = [lo(ys), hi(ys)];
    if (x0 === x1) (x0 -= 0.5, x1 += 0.5);
    if (y0 === y1) {
      (y0 -= logY ? 0.5 : Math.abs(y0) * 0.1 || 0.5, y1 += logY ? 0.5 : Math.abs(y1) * 0.1 || 0.5);
    }
    const pad = (y1 - y0) * 0.05;
    (y0 -= pad, y1 += pad);
    const sx = (x) => M.l + ((x - x0) / (x1 - x0)) * (W - M.l - M.r);
    const sy = (y) => H - M.b - ((ty(y) - y0) / (y1 - y0)) * (H - M.t - M.b);
    const svg = h("svg", { viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: "img" });
    const fmtY = yFormat ?? label;
    const decades = [];
    for (let e = Math.floor(y0); e <= Math.ceil(y1); e++) decades.push(e);
    const inside = (t) => Math.log10(t) >= y0 && Math.log10(t) <= y1;
    let yTicks = niceTicks(y0, y1);
    // Labels as precise as the tick spacing (16.5% beside 17%, never two "16%").
    const spacing = yTicks.length > 1 ? yTicks[1] - yTicks[0] : Math.abs(y1 - y0) || 1;
    if (logY) {
      yTicks = decades.map((e) => 10 ** e).filter(inside);
      // Under two decades shown: label 2× and 5× too, so the axis reads.
      if (yTicks.length < 3) {
        yTicks = decades.flatMap((e) => [1, 2, 5].map((m) => m * 10 ** e)).filter(inside);
      }
    }
    for (const t of yTicks) {
      const y = logY ? H - M.b - ((Math.log10(t) - y0) / (y1 - y0)) * (H - M.t - M.b) : sy(t);
      svg.append(
        h("line", { x1: M.l, x2: W - M.r, y1: y, y2: y, class: "grid" }),
        h("text", { x: M.l - 6, y: y + 4, "text-anchor": "end", class: "tick" }, fmtY(t, spacing)),
      );
    }
    const whole = xs.every(Number.isInteger);
    const xTicks = niceTicks(x0, x1, 6).filter((t) =>
      t >= x0 && t <= x1 && (!whole || Number.isInteger(t))
    );
    for (const t of xTicks) {
      svg.append(
        h("text", { x: sx(t), y: H - M.b + 16, "text-anchor": "middle", class: "tick" }, label(t)),
      );
    }
    svg.append(
      h("line", { x1: M.l, x2: W - M.r, y1: H - M.b, y2: H - M.b, class: "axis" }),
      h("line", { x1: M.l, x2: M.l, y1: M.t, y2: H - M.b, class: "axis" }),
      h(
        "text",
        { x: (M.l + W - M.r) / 2, y: H - 4, "text-anchor": "middle", class: "label" },
        xLabel,
      ),
      h("text", {
        x: 12,
        y: (M.t + H - M.b) / 2,
        transform: `rotate(-90 12 ${(M.t + H - M.b) / 2})`,
        "text-anchor": "middle",
        class: "label",
      }, yLabel + (logY ? " (log)" : "")),
    );
    for (const s of drawn) {
      const g = h("g", { "data-series": s.label });
      // A step series (the learning rate) holds each value until the next point.
      const path = s.step
        ? s.points.flatMap((p, i) => (i === 0 ? [p] : [[p[0], s.points[i - 1][1]], p]))
        : s.points;
      g.append(h("polyline", {
        points: path.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(" "),
        fill: "none",
        stroke: s.color,
        "stroke-width": 1.8,
        "stroke-dasharray": s.dash ? "5 3" : null,
      }));
      for (const [x, y] of s.points) {
        g.append(h(
          "circle",
          { cx: sx(x), cy: sy(y), r: 2.6, fill: s.color, class: "pt", "data-series": s.label },
          h("title", null, `${s.label}: ${label(x)}, ${fmtY(y, spacing / 10)}`),
        ));
      }
      svg.append(g);
    }
    fig.append(svg, legend ? S.legend(drawn) : null);
    return fig;
  };

  /** A fraction as a percent tick, with the decimals the tick spacing `step` needs. */
  S.pctTick = (v, step) => S.pct(v, Math.max(0, Math.ceil(-Math.log10(step * 100) - 1e-9)));

  /** A legend: one swatch and label per series. */
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
