// skiplab dashboard: a run's live section, from steps.csv and run_start.json: where the run
// is inside its epoch, its ETA, and loss, accuracy and learning rate per recorded step.
"use strict";
globalThis.skiplab = globalThis.skiplab ?? {};
(() => {
  const S = globalThis.skiplab;
  const h = (...a) => S.h(...a);
  /** The page's choices, kept across live re-renders. */
  const state = { smoothing: 0.6, x: "step" };
  const AXES = {
    step: { field: "step", title: "step", axis: { tickMinStep: 1, format: "," } },
    epoch: { field: "epochs", title: "epoch" },
    time: { field: "minutes", title: "wall-clock minutes" },
  };
  const duration = (s) =>
    !Number.isFinite(s) || s < 0
      ? "—"
      : s < 90
      ? `${Math.round(s)} s`
      : s < 5400
      ? `${Math.round(s / 60)} min`
      : `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;

  /** Where the run stands: step k of K in epoch e of E, images/s, ETA of the epoch and the run. */
  S.liveProgress = (d) => {
    const st = d.start, last = d.steps.at(-1), beat = d.heartbeat;
    if (!st) return null;
    const done = Math.max(
      last?.step ?? 0,
      beat ? (beat.epoch - 1) * st.steps_per_epoch + beat.step : 0,
    );
    const epoch = Math.min(st.epochs, Math.floor(done / st.steps_per_epoch) + 1);
    const inEpoch = done - (epoch - 1) * st.steps_per_epoch;
    const validating = d.status === "training" && beat && beat.step === st.steps_per_epoch;
    const rate = last?.images_per_sec ?? st.estimate?.images_per_sec;
    const stepS = rate ? st.batch_size / rate : NaN;
    const parts = [
      `epoch ${beat && validating ? beat.epoch : epoch} of ${st.epochs}`,
      validating
        ? "validating…"
        : `step ${inEpoch.toLocaleString("en")} of ${st.steps_per_epoch.toLocaleString("en")}`,
      `${done.toLocaleString("en")} of ${st.total_steps.toLocaleString("en")} steps in all`,
      rate ? `${rate.toFixed(rate >= 10 ? 0 : 1)} img/s` : null,
    ];
    if (d.status === "training") {
      parts.push(`epoch ETA ${duration((st.steps_per_epoch - inEpoch) * stepS)}`);
      parts.push(`run ETA ${duration((st.total_steps - done) * stepS)}`);
    }
    const width = Math.min(100, (100 * done) / st.total_steps);
    return h(
      "div",
      { class: "progress", "data-progress": `${done}/${st.total_steps}` },
      h("div", { class: "bar" }, h("span", { style: `width:${width.toFixed(1)}%` })),
      h("p", null, parts.filter(Boolean).join(" · ")),
      st.estimate ? h("p", { class: "muted" }, st.estimate.text) : null,
    );
  };

  /** Rows for one metric: raw and smoothed per recorded step, validation per epoch. */
  function metricRows(d, key, valKey) {
    const spe = d.start?.steps_per_epoch ?? 1;
    const at = (r) => ({ step: r.step, epochs: r.step / spe, minutes: r.elapsed_s / 60 });
    const smoothed = S.smooth(d.steps.map((r) => r[key]), state.smoothing);
    const rows = d.steps.flatMap((r, i) => [
      { ...at(r), series: "train", value: r[key], epoch: r.epoch },
      { ...at(r), series: "train (smoothed)", value: smoothed[i], epoch: r.epoch },
    ]);
    for (const e of d.history) {
      const step = e.epoch * spe, row = d.steps.find((r) => r.step === step);
      const minutes = row ? row.elapsed_s / 60 : NaN;
      rows.push({
        step,
        epochs: e.epoch,
        minutes,
        series: "validation",
        value: e[valKey],
        epoch: e.epoch,
      });
    }
    return rows.filter((r) => Number.isFinite(r.value) && Number.isFinite(r[AXES[state.x].field]));
  }

  function metricSpec(d, key, valKey, title, percent) {
    const x = AXES[state.x];
    const y = { field: "value", type: "quantitative", title, scale: { zero: false } };
    if (percent) y.axis = { format: "%" };
    const fmt = percent ? ".2%" : ".4f";
    const color = {
      field: "series",
      type: "nominal",
      title: null,
      scale: {
        domain: ["train", "train (smoothed)", "validation"],
        range: ["#a6c5e4", "#1f77b4", "#e15759"],
      },
      legend: { orient: "bottom" },
    };
    const tooltip = [
      { field: "series", title: "series" },
      { field: "step", title: "step", format: "," },
      { field: "epoch", title: "epoch" },
      { field: "value", title, format: fmt },
    ];
    return {
      width: 420,
      height: 220,
      data: { values: metricRows(d, key, valKey) },
      encoding: {
        x: { field: x.field, type: "quantitative", title: x.title, axis: x.axis },
        color,
      },
      layer: [
        {
          transform: [{ filter: "datum.series !== 'validation'" }],
          params: [{
            name: "zoom",
            select: { type: "interval", encodings: ["x"] },
            bind: "scales",
          }],
          mark: { type: "line", strokeWidth: 1.5 },
          encoding: { y, tooltip },
        },
        {
          transform: [{ filter: "datum.series !== 'validation'" }],
          mark: { type: "point", opacity: 0, size: 60 },
          encoding: { y, tooltip },
        },
        {
          transform: [{ filter: "datum.series === 'validation'" }],
          mark: { type: "line", point: { size: 50 }, strokeDash: [4, 3] },
          encoding: { y, tooltip },
        },
      ],
    };
  }

  function lrSpec(d) {
    const x = AXES[state.x], spe = d.start?.steps_per_epoch ?? 1;
    const values = d.steps.map((r) => ({
      step: r.step,
      epochs: r.step / spe,
      minutes: r.elapsed_s / 60,
      epoch: r.epoch,
      lr: r.lr,
    }));
    return {
      width: 420,
      height: 160,
      data: { values },
      params: [{ name: "zoom", select: { type: "interval", encodings: ["x"] }, bind: "scales" }],
      // The rate holds until the step it changes at: a step function, not a slope.
      mark: { type: "line", interpolate: "step-before", point: { size: 12 } },
      encoding: {
        x: { field: x.field, type: "quantitative", title: x.title, axis: x.axis },
        y: {
          field: "lr",
          type: "quantitative",
          title: "learning rate",
          scale: { type: "log" },
          axis: S.logAxis(values.map((v) => v.lr).filter((v) => v > 0)),
        },
        tooltip: [
          { field: "step", format: "," },
          { field: "epoch" },
          { field: "lr", title: "learning rate", format: ".3~e" },
        ],
      },
    };
  }

  /** The live section of a run's page: progress, controls, and the per-step charts. */
  S.liveSection = (d, rerender) => {
    const progress = S.liveProgress(d);
    if (!progress && d.steps.length === 0) return null;
    const smoothing = h("input", {
      type: "range",
      id: "smoothing",
      min: "0",
      max: "0.99",
      step: "0.01",
      value: String(state.smoothing),
      onchange: (e) => (state.smoothing = Number(e.target.value), rerender()),
    });
    const axis = h(
      "select",
      { id: "x-axis", onchange: (e) => (state.x = e.target.value, rerender()) },
      Object.keys(AXES).map((k) =>
        h("option", { value: k, ...(k === state.x ? { selected: "" } : {}) }, AXES[k].title)
      ),
    );
    const controls = h(
      "div",
      { class: "toolbar", "data-steps": d.steps.length },
      h("label", null, "smoothing ", smoothing, ` ${state.smoothing.toFixed(2)}`),
      h("label", null, "x axis ", axis),
      h("span", { class: "muted" }, "drag to pan, wheel to zoom, double-click to reset"),
    );
    const charts = d.steps.length === 0 ? h("p", { class: "empty" }, "no step recorded yet") : h(
      "div",
      { class: "charts" },
      S.vegaChart({
        id: "step-loss",
        title: "Loss per step",
        spec: metricSpec(d, "loss", "val_loss", "loss", false),
      }),
      S.vegaChart({
        id: "step-accuracy",
        title: "Accuracy per step",
        spec: metricSpec(d, "acc", "val_acc", "accuracy", true),
      }),
      S.vegaChart({ id: "step-lr", title: "Learning rate per step", spec: lrSpec(d) }),
    );
    return S.section("Training, step by step", progress, controls, charts);
  };
})();
