// skiplab dashboard: a sweep's page (best setting, the table over settings, accuracy against
// each swept key, every member with its status).
"use strict";
globalThis.skiplab = globalThis.skiplab ?? {};
(() => {
  const S = globalThis.skiplab;
  const h = (...a) => S.h(...a);
  const pm = (mean, std, fmt) =>
    !S.finite(mean) ? "—" : S.finite(std) ? `${fmt(mean)} ± ${fmt(std)}` : fmt(mean);
  const pct = (v) => S.pct(v, 1);
  const value = (v) => (v === undefined || v === null ? "—" : String(v));

  /** Renders the page of sweep `id`. */
  S.renderSweep = async (id) => {
    const sw = await S.api(S.idPath("sweep", id));
    const finished = sw.members.filter((m) => m.status === "finished").length;
    const settings = S.table(
      ["setting", ...sw.axes, "n", "best val acc", "test acc", "epochs", "minutes"],
      sw.table.map((r) => [
        r.setting === sw.best ? h("b", null, r.setting, " (best)") : r.setting,
        ...sw.axes.map((a) => value(r[a])),
        String(r.n),
        pm(r.best_val_acc_mean, r.best_val_acc_std, pct),
        pm(r.test_acc_mean, r.test_acc_std, pct),
        pm(r.epochs_mean, r.epochs_std, (v) => v.toFixed(1)),
        pm(r.minutes_mean, r.minutes_std, (v) => v.toFixed(2)),
      ]),
      { class: "runs", "data-table": "sweep" },
    );
    const members = S.table(
      [
        "run",
        "status",
        "setting",
        ...sw.axes,
        "seed",
        "epochs",
        "best val acc",
        "test acc",
        "time",
      ],
      sw.members.map((m) => [
        h("a", { href: `#/run/${encodeURIComponent(m.id)}` }, m.name),
        S.badge(m.status, m.statusReason),
        m.setting,
        ...sw.axes.map((a) => value(m.values[a])),
        m.seed === null ? "—" : String(m.seed),
        `${m.epochs}${m.plannedEpochs ? `/${m.plannedEpochs}` : ""}`,
        S.pct(m.bestValAcc, 2),
        S.pct(m.testAcc, 2),
        S.minutes(m.minutes),
      ]),
      { class: "runs", "data-table": "sweep-members" },
    );
    S.show(
      h("h1", null, h("a", { href: "#/" }, "runs"), " / sweep ", sw.name),
      h(
        "p",
        { class: "best", "data-best": sw.best ?? "" },
        sw.bestText ?? "No member has finished yet.",
      ),
      h("p", { class: "muted" }, `${finished} of ${sw.members.length} members finished`),
      S.section("Settings (mean ± std over seeds)", settings),
      sw.charts.length
        ? S.section(
          "Accuracy against each swept key",
          h("div", { class: "charts" }, sw.charts.map(S.vegaChart)),
        )
        : null,
      S.section("Members", members),
    );
  };
})();
