// skiplab dashboard: a chart from a Vega-Lite specification, the language of the report's
// figures, drawn by the Vega served with the app (no CDN) and its CSP-safe expression interpreter.
"use strict";
globalThis.skiplab = globalThis.skiplab ?? {};
(() => {
  const S = globalThis.skiplab;
  const h = (...a) => S.h(...a);

  /** The floating box of hover values, one per page. */
  function tipBox() {
    let tip = document.getElementById("chart-tip");
    if (!tip) {
      tip = h("div", { id: "chart-tip", class: "chart-tip", hidden: true });
      document.body.append(tip);
    }
    return tip;
  }

  /** Shows Vega's tooltip value (an object of fields, or text) beside the pointer. */
  function showTip(_handler, event, _item, value) {
    const tip = tipBox();
    if (value === null || value === undefined || value === "") return void (tip.hidden = true);
    const lines = typeof value === "object" ? Object.entries(value) : [["", value]];
    tip.replaceChildren(
      ...lines.map(([k, v]) => h("div", null, k ? h("b", null, `${k} `) : null, String(v))),
    );
    tip.hidden = false;
    tip.style.left = `${event.clientX + 14}px`;
    tip.style.top = `${event.clientY + 14}px`;
  }

  /**
   * A figure (`data-chart=id`) holding the Vega-Lite chart `spec`, rendered as SVG once
   * Vega has run; `fig.dataset.ready` is set then (`error` and a message if it failed).
   * Hover shows the spec's tooltip fields.
   */
  S.vegaChart = ({ id, title, spec }) => {
    const box = h("div", { class: "vega-box" });
    const fig = h(
      "figure",
      { class: "chart", "data-chart": id },
      h("figcaption", null, title),
      box,
    );
    const { vega, vegaLite, vegaInterpreter } = globalThis;
    if (!vega || !vegaLite || !vegaInterpreter) {
      box.append(h("p", { class: "error" }, "charts need vega, vega-lite and vega-interpreter"));
      fig.dataset.ready = "error";
      return fig;
    }
    try {
      const compiled = vegaLite.compile({
        $schema: "https://vega.github.io/schema/vega-lite/v6.json",
        config: { background: "white", font: "system-ui, sans-serif" },
        ...spec,
      }).spec;
      const view = new vega.View(vega.parse(compiled, null, { ast: true }), {
        expr: vegaInterpreter,
        renderer: "svg",
        container: box,
        hover: true,
      });
      view.tooltip(showTip);
      view.runAsync().then(
        () => (fig.dataset.ready = "1"),
        (e) => (box.append(h("p", { class: "error" }, String(e))), fig.dataset.ready = "error"),
      );
      fig.view = view;
    } catch (e) {
      box.append(h("p", { class: "error" }, String(e.message ?? e)));
      fig.dataset.ready = "error";
    }
    return fig;
  };

  /** Exponential moving average of `ys` (TensorBoard's smoothing, debiased), `weight` in [0, 1). */
  S.smooth = (ys, weight) => {
    let last = 0, n = 0;
    return ys.map((y) => {
      if (!Number.isFinite(y)) return NaN;
      last = last * weight + (1 - weight) * y;
      n++;
      return weight === 0 ? y : last / (1 - weight ** n);
    });
  };
})();
