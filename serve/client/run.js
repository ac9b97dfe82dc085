// skiplab dashboard: a run's page (curves, gradients by depth, confusion, mistakes, config).
"use strict";
globalThis.skiplab = globalThis.skiplab ?? {};
(() => {
  const S = globalThis.skiplab;
  const h = (...a) => S.h(...a);
  const col = (rows, x, y) => rows.map((r) => [r[x], r[y]]);

  /** Gradient norm by main-path depth at a point (`init`, `final`, or the last epoch's mean). */
  S.gradientSeries = (gradients, point) => {
    let rows = gradients.filter((g) => g.point === point && g.path === "main");
    if (point === "epoch") {
      // A loop, not Math.max(...): a spread of 100,000 values overflows the stack.
      const last = rows.reduce((m, g) => (g.step === -1 && g.epoch > m ? g.epoch : m), -Infinity);
      rows = rows.filter((g) => g.step === -1 && g.epoch === last);
    }
    return rows.map((g) => [g.depth, g.norm]).sort((a, b) => a[0] - b[0]);
  };

  function curves(d) {
    const hist = d.history;
    const charts = [
      S.lineChart({
        id: "loss",
        title: "Loss per epoch",
        xLabel: "epoch",
        yLabel: "loss",
        series: [
          { label: "train loss", points: col(hist, "epoch", "loss") },
          { label: "val loss", points: col(hist, "epoch", "val_loss"), dash: true },
        ],
      }),
      S.lineChart({
        id: "accuracy",
        title: "Accuracy per epoch",
        xLabel: "epoch",
        yLabel: "accuracy",
        percent: true,
        series: [
          { label: "train acc", points: col(hist, "epoch", "acc") },
          { label: "val acc", points: col(hist, "epoch", "val_acc"), dash: true },
        ],
      }),
      S.lineChart({
        id: "lr",
        title: "Learning rate",
        xLabel: "epoch",
        yLabel: "lr",
        logY: true,
        step: true,
        series: [{ label: "lr", points: col(hist, "epoch", "lr") }],
      }),
      S.lineChart({
        id: "gradients",
        title: "Gradient norm by depth (main path)",
        xLabel: "depth (input → output)",
        yLabel: "L2 norm",
        logY: true,
        series: [
          { label: "init", points: S.gradientSeries(d.gradients, "init") },
          { label: "last epoch", points: S.gradientSeries(d.gradients, "epoch") },
          { label: "trained (final)", points: S.gradientSeries(d.gradients, "final"), dash: true },
        ],
      }),
      S.lineChart({
        id: "seconds",
        title: "Time per epoch",
        xLabel: "epoch",
        yLabel: "seconds",
        series: [{ label: "seconds", points: col(hist, "epoch", "seconds") }],
      }),
      S.lineChart({
        id: "memory",
        title: "Memory per epoch",
        xLabel: "epoch",
        yLabel: "MB",
        series: [
          { label: "tensor memory", points: col(hist, "epoch", "memory_mb") },
          {
            label: "process RSS (peak)",
            points: d.timing.map((t) => [t.epoch, t.peak_rss_bytes / 2 ** 20]),
          },
        ],
      }),
    ];
    const steps = d.gradients.filter((g) =>
      g.point === "epoch" && g.step >= 0 && g.path === "main"
    );
    if (steps.length > 0) {
      const depths = [...new Set(steps.map((g) => g.depth))].sort((a, b) => a - b);
      const pick = [...new Set([depths[0], depths[Math.floor(depths.length / 2)], depths.at(-1)])];
      const windows = [...new Set(steps.map((g) => `${g.epoch}:${g.step}`))];
      const index = (g) => windows.indexOf(`${g.epoch}:${g.step}`) + 1;
      charts.push(S.lineChart({
        id: "gradient-steps",
        title: "Gradient norm per recorded step window",
        xLabel: "window",
        yLabel: "L2 norm",
        logY: true,
        series: pick.map((dep) => ({
          label: `depth ${dep}`,
          points: steps.filter((g) => g.depth === dep).map((g) => [index(g), g.norm]),
        })),
      }));
    }
    return h("div", { class: "charts" }, charts);
  }

  function confusion(d) {
    if (!d.confusion) {
      return S.section("Confusion matrix", h("p", { class: "empty" }, "written when the run ends"));
    }
    const { classNames, matrix } = d.confusion;
    const max = Math.max(1, ...matrix.flat());
    const rows = matrix.map((row, i) =>
      h(
        "tr",
        null,
        h("th", { class: "rowhead" }, classNames[i]),
        row.map((n, j) =>
          h("td", {
            class: i === j ? "diag" : "off",
            style: `--a:${(n / max).toFixed(3)}`,
            title: `actual ${classNames[i]}, predicted ${classNames[j]}: ${n}`,
          }, n)
        ),
      )
    );
    const matrixTable = h(
      "table",
      { class: "confusion", "data-table": "confusion" },
      h(
        "thead",
        null,
        h(
          "tr",
          null,
          h("th", null, "actual \\ predicted"),
          classNames.map((c) => h("th", { class: "colhead" }, c)),
        ),
      ),
      h("tbody", null, rows),
    );
    const report = d.classes
      ? S.table(
        ["class", "precision", "recall", "F1", "support"],
        d.classes.map((
          c,
        ) => [c.class, S.num(c.precision), S.num(c.recall), S.num(c.f1), String(c.support)]),
        { class: "report", "data-table": "classes" },
      )
      : null;
    return S.section(
      "Confusion matrix and class report",
      h("div", { class: "pair" }, matrixTable, report),
    );
  }

  /** A thumbnail canvas of HWC uint8 pixels (base64), scaled up without smoothing. */
  S.thumbnail = (shape, pixels) => {
    const [hh, ww, c] = shape;
    const bytes = Uint8Array.from(atob(pixels), (ch) => ch.charCodeAt(0));
    const canvas = h("canvas", { width: ww, height: hh, class: "thumb" });
    const ctx = canvas.getContext("2d");
    const img = ctx.createImageData(ww, hh);
    for (let p = 0; p < ww * hh; p++) {
      for (let k = 0; k < 3; k++) img.data[p * 4 + k] = bytes[p * c + (c >= 3 ? k : 0)];
      img.data[p * 4 + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
    return canvas;
  };

  function mistakes(d) {
    if (!d.wrong) {
      return S.section(
        "Most confidently wrong",
        h("p", { class: "empty" }, "written when the run ends"),
      );
    }
    const names = d.wrong.class_names;
    const cards = d.wrong.images.map((im) =>
      h(
        "div",
        { class: "mistake", "data-index": im.index },
        S.thumbnail(d.wrong.shape, im.pixels),
        h("div", null, h("b", null, "true "), names[im.label] ?? String(im.label)),
        h(
          "div",
          null,
          h("b", null, "pred "),
          names[im.predicted] ?? String(im.predicted),
          ` ${S.pct(im.confidence, 0)}`,
        ),
      )
    );
    return S.section(
      `Most confidently wrong test images (${d.wrong.images.length})`,
      cards.length
        ? h("div", { class: "mistakes" }, cards)
        : h("p", { class: "empty" }, "none wrong"),
    );
  }

  /** The header facts of a run. */
  S.runFacts = (d) =>
    h(
      "dl",
      { class: "facts" },
      [
        ["status", S.badge(d.status, d.statusReason)],
        ["why", d.statusReason],
        ["model", d.model],
        ["recipe", d.recipe],
        ["seed", d.seed === null ? "—" : String(d.seed)],
        ["epochs", `${d.epochs}${d.plannedEpochs ? ` / ${d.plannedEpochs}` : ""}`],
        ["best val acc", S.pct(d.bestValAcc, 2)],
        ["test acc", S.pct(d.testAcc, 2)],
        ["time", S.minutes(d.minutes)],
        ["started", S.when(d.started)],
        ["backend", d.summary?.backend ?? d.start?.backend ?? "—"],
        [
          "params",
          (d.summary ?? d.start)?.trainable_params?.toLocaleString("en") ?? "—",
        ],
      ].map(([k, v]) => [h("dt", null, k), h("dd", null, v)]),
    );

  /** Renders the page of run `id`. */
  S.renderRun = async (id) => {
    const d = await S.api(S.idPath("run", id));
    S.show(
      h("h1", null, h("a", { href: "#/" }, "runs"), " / ", d.name),
      d.suite
        ? h(
          "p",
          null,
          "member of suite ",
          h("a", { href: `#/suite/${encodeURIComponent(d.suite)}` }, d.suite),
        )
        : null,
      S.runFacts(d),
      S.liveSection(d, () => S.renderRun(id)),
      curves(d),
      confusion(d),
      mistakes(d),
      S.section("Resolved config", h("pre", { class: "config" }, d.config ?? "(no config.yaml)")),
    );
  };
})();
