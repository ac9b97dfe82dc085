// skiplab dashboard: the runs table (sortable, filterable, rows selectable for comparing).
"use strict";
globalThis.skiplab = globalThis.skiplab ?? {};
(() => {
  const S = globalThis.skiplab;
  const h = (...a) => S.h(...a);
  const state = { sort: "started", desc: true, filter: "", selected: new Set() };

  const COLUMNS = [
    ["name", "run", (r) => [
      h("a", { href: `#/run/${encodeURIComponent(r.id)}` }, r.name),
      r.id !== r.name ? h("div", { class: "id" }, r.id) : null,
    ]],
    ["status", "status", (r) => S.badge(r.status, r.statusReason)],
    ["model", "model", (r) => r.model],
    ["recipe", "recipe", (r) => r.recipe],
    ["seed", "seed", (r) => (r.seed === null ? "—" : String(r.seed))],
    ["epochs", "epochs", (r) => `${r.epochs}${r.plannedEpochs ? `/${r.plannedEpochs}` : ""}`],
    ["bestValAcc", "best val acc", (r) => S.pct(r.bestValAcc)],
    ["testAcc", "test acc", (r) => S.pct(r.testAcc)],
    ["minutes", "time", (r) => S.minutes(r.minutes)],
    ["started", "started", (r) => S.when(r.started)],
  ];

  const cmp = (a, b) => {
    const na = a === null || (typeof a === "number" && !Number.isFinite(a));
    const nb = b === null || (typeof b === "number" && !Number.isFinite(b));
    if (na || nb) return na === nb ? 0 : na ? 1 : -1; // unknowns last either way
    return typeof a === "number" ? a - b : String(a).localeCompare(String(b));
  };

  function visible(runs) {
    const words = state.filter.toLowerCase().split(/\s+/).filter(Boolean);
    const text = (r) =>
      [r.name, r.id, r.status, r.model, r.recipe, r.suite ?? "", String(r.seed)].join(" ")
        .toLowerCase();
    const shown = runs.filter((r) => words.every((w) => text(r).includes(w)));
    return shown.sort((a, b) => {
      const c = cmp(a[state.sort], b[state.sort]);
      return (state.desc && !(a[state.sort] === null || b[state.sort] === null) ? -c : c) ||
        a.id.localeCompare(b.id);
    });
  }

  function compareHref() {
    return `#/compare/${[...state.selected].map(encodeURIComponent).join(",")}`;
  }

  /** Renders the runs table from /api/runs, keeping sort, filter and selection across updates. */
  S.renderTable = async () => {
    const data = await S.api("/api/runs");
    const ids = new Set(data.runs.map((r) => r.id));
    for (const id of state.selected) if (!ids.has(id)) state.selected.delete(id);
    const body = h("tbody");
    const button = h(
      "a",
      { class: "button", id: "compare", href: compareHref() },
      "Compare selected",
    );
    const count = h("span", { class: "count" });
    const fill = () => {
      const rows = visible(data.runs);
      count.textContent = `${rows.length} of ${data.runs.length} runs`;
      button.classList.toggle("disabled", state.selected.size < 2);
      button.setAttribute("href", compareHref());
      body.replaceChildren(...rows.map((r) =>
        h(
          "tr",
          { "data-id": r.id, class: `row-${r.status.replace(" ", "-")}` },
          h(
            "td",
            null,
            h("input", {
              type: "checkbox",
              "aria-label": `select ${r.name}`,
              checked: state.selected.has(r.id) ? "" : null,
              onchange: (e) => {
                e.target.checked ? state.selected.add(r.id) : state.selected.delete(r.id);
                fill();
              },
            }),
          ),
          COLUMNS.map(([, , cell]) => h("td", null, cell(r))),
        )
      ));
    };
    const head = h(
      "tr",
      null,
      h("th"),
      COLUMNS.map(([key, title]) =>
        h("th", {
          class: `sortable${state.sort === key ? (state.desc ? " desc" : " asc") : ""}`,
          "data-sort": key,
          onclick: () => {
            state.desc = state.sort === key ? !state.desc : key === "started";
            state.sort = key;
            S.renderTable();
          },
        }, title)
      ),
    );
    const filter = h("input", {
      type: "search",
      id: "filter",
      placeholder: "filter: words that must all appear (name, status, model, recipe…)",
      value: state.filter,
      oninput: (e) => (state.filter = e.target.value, fill()),
    });
    fill();
    const suites = data.suites.length
      ? S.section(
        "Suites",
        h(
          "ul",
          null,
          data.suites.map((s) =>
            h(
              "li",
              null,
              h("a", { href: `#/suite/${encodeURIComponent(s.id)}` }, s.name),
              s.id !== s.name ? ` (${s.id})` : null,
            )
          ),
        ),
      )
      : null;
    const count1 = (n, what) => `${n} ${what}${n === 1 ? "" : "s"}`;
    const sweeps = data.sweeps.length
      ? S.section(
        "Sweeps",
        h(
          "ul",
          { "data-list": "sweeps" },
          data.sweeps.map((s) =>
            h(
              "li",
              null,
              h("a", { href: `#/sweep/${encodeURIComponent(s.id)}` }, s.name),
              s.id !== s.name
                ? h("span", { class: "id" }, ` in ${s.id.split("/").slice(0, -1).join("/")}`)
                : null,
              ` · ${count1(s.members, "member")}: `,
              Object.entries(s.statuses).map(([k, n]) => `${n} ${k}`).join(", "),
            )
          ),
        ),
      )
      : null;
    const hadFocus = document.activeElement?.id === "filter";
    S.show(
      // The folder's name only when it says more than the heading ("runs runs" did not).
      h("h1", null, "runs", data.root !== "runs" ? h("small", null, ` in ${data.root}`) : null),
      h("div", { class: "toolbar" }, filter, button, count),
      h("table", { class: "runs", id: "runs" }, h("thead", null, head), body),
      suites,
      sweeps,
    );
    if (hadFocus) document.getElementById("filter").focus();
  };
})();
