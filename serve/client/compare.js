// skiplab dashboard: selected runs overlaid on shared axes, and a suite's Table I beside the paper.
"use strict";
globalThis.skiplab = globalThis.skiplab ?? {};
(() => {
  const S = globalThis.skiplab;
  const h = (...a) => S.h(...a);

  /**
   * Each run's legend label: what differs between the runs (model, recipe, seed), not the
   * full ids; the name, then the id, where nothing else tells two apart.
   */
  S.differingLabels = (details) => {
    // The recipe is " · "-joined highlights: only those some of the runs lack tell them apart.
    const bare = (t) => String(t ?? "").toLowerCase().replace(/[^a-z0-9]/g, "");
    const parts = details.map((d) => (d.recipe ?? "").split(" · ").filter(Boolean));
    const common = parts[0]?.filter((p) => parts.every((ps) => ps.includes(p))) ?? [];
    const fields = [
      (d) => d.model,
      // Less what the model's name already says ("no-skip" beside "resnet18 (no skip)").
      (d, i) =>
        parts[i].filter((p) => !common.includes(p) && !bare(d.model).includes(bare(p)))
          .join(" · "),
      (d) => (d.seed === null ? "" : `seed ${d.seed}`),
    ];
    const differ = fields.filter((f) => new Set(details.map(f)).size > 1);
    let labels = details.map((d, i) =>
      differ.map((f) => f(d, i)).filter(Boolean).join(" · ") || d.name
    );
    if (new Set(labels).size < labels.length) {
      labels = labels.map((l, i) => `${l} (${details[i].id})`);
    }
    return labels;
  };

  /**
   * Charts with every run of `details` overlaid under one legend, one colour per series:
   * runs that differ only in seed as one mean line with a ±1 SD band ("(n=2)" in the legend,
   * each seed on demand), every other run as its own line.
   */
  function overlays(details) {
    const color = (i) => S.PALETTE[i % S.PALETTE.length];
    const groups = S.seedGroups(details);
    // A group is labelled by what differs from the others; its seed does not.
    const labels = S.differingLabels(
      groups.map((g) => (g.runs.length > 1 ? { ...g.runs[0], seed: null } : g.runs[0])),
    ).map((l, i) => (groups[i].runs.length > 1 ? `${l} (n=${groups[i].runs.length})` : l));
    const seriesOf = (pointsOf, style = () => ({})) =>
      groups.map((g, i) =>
        S.groupSeries(g, pointsOf, { label: labels[i], color: color(i), ...style(i) })
      );
    const over = (id, title, yLabel, key, extra = {}) =>
      S.lineChart({
        id,
        title,
        xLabel: "epoch",
        yLabel,
        ...extra,
        legend: false,
        series: seriesOf((d) => d.history.map((r) => [r.epoch, r[key]])),
      });
    const acc = { percent: true };
    const shared = S.legend(groups.map((_, i) => ({ label: labels[i], color: color(i) })));
    shared.classList.add("shared");
    const gradients = (when, suffix, dash) =>
      seriesOf((d) => S.gradientSeries(d.gradients, when), (i) => ({
        label: `${labels[i]} ${suffix}`,
        dash,
      }));
    const charts = h("div", { class: "charts" });
    const grouped = groups.some((g) => g.runs.length > 1);
    charts.append(
      h(
        "div",
        { class: "legend-row" },
        shared,
        grouped
          ? h("span", { class: "muted" }, "band: ± 1 SD over seeds · dashed: at init ")
          : h("span", { class: "muted" }, "dashed: at init"),
        grouped ? S.seedToggle(charts) : null,
      ),
      over("val_acc", "Validation accuracy", "accuracy", "val_acc", acc),
      over("acc", "Training accuracy", "accuracy", "acc", acc),
      over("val_loss", "Validation loss", "loss", "val_loss"),
      over("loss", "Training loss", "loss", "loss"),
      over("lr", "Learning rate", "lr", "lr", { logY: true, step: true }),
      S.lineChart({
        id: "gradients",
        title: "Gradient norm by depth, init (dashed) and trained",
        legend: false,
        xLabel: "depth (input → output)",
        yLabel: "L2 norm",
        logY: true,
        series: [...gradients("init", "init", true), ...gradients("final", "trained", false)],
      }),
    );
    return charts;
  }

  function summary(details) {
    return S.table(
      ["run", "status", "model", "recipe", "seed", "epochs", "best val acc", "test acc", "time"],
      details.map((d) => [
        h("a", { href: `#/run/${encodeURIComponent(d.id)}` }, d.name),
        S.badge(d.status, d.statusReason),
        d.model,
        d.recipe,
        d.seed === null ? "—" : String(d.seed),
        String(d.epochs),
        S.pct(d.bestValAcc, 2),
        S.pct(d.testAcc, 2),
        S.minutes(d.minutes),
      ]),
      { class: "runs", "data-table": "compare" },
    );
  }

  /** Renders the comparison of the runs `ids`. */
  S.renderCompare = async (ids) => {
    const details = await Promise.all(ids.map((id) => S.api(S.idPath("run", id))));
    S.show(
      h("h1", null, h("a", { href: "#/" }, "runs"), ` / compare ${details.length} runs`),
      summary(details),
      overlays(details),
    );
  };

  /** The suite's figures, with "show each seed" where a setting has several runs. */
  function curves(figures, table) {
    const charts = h("div", { class: "charts" }, figures);
    if (table.some((r) => r.runs.length > 1)) {
      charts.prepend(h("div", { class: "legend-row" }, S.seedToggle(charts)));
    }
    return charts;
  }

  /**
   * Renders the page of suite `id`: Table I with mean ± std over seeds beside the paper, the
   * skip effects with their intervals, the report's figures (one band per setting), members.
   */
  S.renderSuite = async (id) => {
    const suite = await S.api(S.idPath("suite", id));
    const pct = (v) => S.pct(v, 2);
    const min = (v) => S.num(v, 2);
    const diff = (s, paper) =>
      s.n && paper !== null && S.finite(s.mean) ? `${((s.mean - paper) * 100).toFixed(1)} pt` : "—";
    const rows = suite.table.map((r) => [
      r.setting,
      `${r.runs.length}${
        r.seeds.some((s) => s !== null) ? ` (seeds ${r.seeds.map((s) => s ?? "?").join(", ")})` : ""
      }`,
      S.stat(r.testAcc, pct),
      r.paperTestAcc === null ? "—" : pct(r.paperTestAcc),
      diff(r.testAcc, r.paperTestAcc),
      S.stat(r.trainMinutes, min),
      r.paperMinutes === null ? "—" : String(r.paperMinutes),
      S.finite(r.params) ? r.params.toLocaleString("en") : "—",
      r.paperParams === null ? "—" : r.paperParams.toLocaleString("en"),
      S.stat(r.epochs, (v) => v.toFixed(0)),
      S.stat(r.secondsPerEpoch, min),
      S.stat(r.gradRatio, (v) => v.toPrecision(3)),
    ]);
    const table = S.table(
      [
        "Setting",
        "runs",
        "Test Acc.",
        "paper",
        "Δ",
        "Train Time (min)",
        "paper",
        "Params",
        "paper",
        "Epochs",
        "Seconds/Epoch",
        "Grad Ratio (first/last)",
      ],
      rows,
      { class: "runs tableone", "data-table": "table-one" },
    );
    const details = await Promise.all(
      suite.members.map((m) => S.api(S.idPath("run", m)).catch(() => null)),
    );
    const present = details.filter(Boolean);
    const chart = (c) => {
      const fig = S.vegaChart(c);
      if (c.spec.params?.some((p) => p.name === "seeds")) fig.dataset.seeds = "1";
      return fig;
    };
    const effects = suite.charts.filter((c) => c.id === "effects");
    const figures = suite.charts.filter((c) => c.id !== "effects");
    S.show(
      h("h1", null, h("a", { href: "#/" }, "runs"), " / suite ", suite.name),
      S.section(
        "Table I (mean ± std over seeds where a setting has several runs; the paper's numbers beside)",
        table,
      ),
      S.section(
        "Effect of skip connections (test accuracy)",
        suite.effects.length
          ? h("ul", { class: "effects" }, suite.effects.map((l) => h("li", null, l)))
          : h(
            "p",
            { class: "empty" },
            "no pair of ResNet-18 with its no-skip ablation or the baseline CNN yet",
          ),
        h("div", { class: "charts" }, effects.map(chart)),
      ),
      figures.length
        ? S.section("Curves over seeds", curves(figures.map(chart), suite.table))
        : h("p", { class: "empty" }, "no member has recorded an epoch"),
      present.length ? S.section("Members", summary(present)) : null,
    );
  };
})();
