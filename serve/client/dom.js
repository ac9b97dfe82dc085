// skiplab dashboard: DOM helpers, number formats and data access shared by the views.
// Every text from a run (names, classes, config) enters the page as a text node, never as HTML.
"use strict";
globalThis.skiplab = globalThis.skiplab ?? {};
(() => {
  const S = globalThis.skiplab;

  /** An element with attributes (`on*` functions become listeners) and children (strings become text). */
  S.h = (tag, attrs, ...children) => {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs ?? {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
      // Through the CSSOM, which the page's Content-Security-Policy allows (style attributes it does not).
      else if (k === "style") el.style.cssText = String(v);
      else el.setAttribute(k, String(v));
    }
    for (const c of children.flat(Infinity)) {
      if (c === undefined || c === null || c === false) continue;
      el.append(
        typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c,
      );
    }
    return el;
  };

  const finite = (v) => typeof v === "number" && Number.isFinite(v);
  S.finite = finite;
  S.pct = (v, d = 1) => (finite(v) ? `${(v * 100).toFixed(d)}%` : "—");
  S.num = (v, d = 2) => (finite(v) ? v.toFixed(d) : "—");
  S.minutes = (
    v,
  ) => (finite(v) ? (v < 1 ? `${(v * 60).toFixed(0)} s` : `${v.toFixed(1)} min`) : "—");
  S.when = (iso) => (iso ? new Date(iso).toLocaleString() : "—");
  /** mean ± std of a {n, mean, std} statistic, with `fmt` for each number. */
  S.stat = (s, fmt) =>
    !s || s.n === 0
      ? "—"
      : s.n > 1 && finite(s.std)
      ? `${fmt(s.mean)} ± ${fmt(s.std)}`
      : fmt(s.mean);

  /** The API path of a run or suite id (each part encoded). */
  S.idPath = (kind, id) => `/api/${kind}/${id.split("/").map(encodeURIComponent).join("/")}`;

  /**
   * JSON of an API path: from the page's embedded data in a saved report
   * (`deno task report DIR --html`), else from the server.
   */
  S.api = async (path) => {
    const embedded = globalThis.SKIPLAB_EMBEDDED;
    if (embedded) {
      if (!(path in embedded.api)) throw new Error(`not in this report: ${path}`);
      return embedded.api[path];
    }
    const r = await fetch(path, { headers: { accept: "application/json" } });
    const body = await r.json().catch(() => ({ error: r.statusText }));
    if (!r.ok) throw new Error(body.error ?? `${r.status} ${r.statusText}`);
    return body;
  };

  /** Replaces the content of `#main` with `nodes`, keeping the scroll position. */
  S.show = (...nodes) => {
    const main = document.getElementById("main");
    const y = globalThis.scrollY;
    main.replaceChildren(...nodes.flat().filter((n) => n !== null && n !== undefined));
    globalThis.scrollTo(0, y);
    document.body.dataset.renders = String(Number(document.body.dataset.renders ?? 0) + 1);
  };

  /** A status badge. */
  S.badge = (status, reason) =>
    S.h("span", { class: `status s-${status.replace(" ", "-")}`, title: reason ?? "" }, status);

  /** A table from a header and rows of cells (strings or nodes). */
  S.table = (head, rows, attrs) =>
    S.h(
      "table",
      attrs,
      S.h("thead", null, S.h("tr", null, head.map((c) => S.h("th", null, c)))),
      S.h("tbody", null, rows.map((r) => S.h("tr", null, r.map((c) => S.h("td", null, c))))),
    );

  S.section = (title, ...children) => S.h("section", null, S.h("h2", null, title), ...children);
})();
