// skiplab dashboard: routes (#/, #/run/<id>, #/compare/<id>,<id>, #/suite/<id>, #/sweep/<id>)
// and live updates.
"use strict";
globalThis.skiplab = globalThis.skiplab ?? {};
(() => {
  const S = globalThis.skiplab;

  function route() {
    const hash = location.hash.replace(/^#\/?/, "");
    const [kind, ...rest] = hash.split("/");
    const arg = rest.join("/");
    if (kind === "run" && arg) return { kind, ids: [decodeURIComponent(arg)] };
    if ((kind === "suite" || kind === "sweep") && arg) {
      return { kind, ids: [decodeURIComponent(arg)] };
    }
    if (kind === "compare" && arg) {
      return { kind, ids: arg.split(",").filter(Boolean).map(decodeURIComponent) };
    }
    return { kind: "table", ids: [] };
  }

  let rendering = Promise.resolve();
  /** Renders the current route (one render at a time, in order). */
  function render() {
    const r = route();
    rendering = rendering.then(async () => {
      try {
        if (r.kind === "run") await S.renderRun(r.ids[0]);
        else if (r.kind === "suite") await S.renderSuite(r.ids[0]);
        else if (r.kind === "sweep") await S.renderSweep(r.ids[0]);
        else if (r.kind === "compare") await S.renderCompare(r.ids);
        else await S.renderTable();
      } catch (e) {
        S.show(
          S.h("h1", null, S.h("a", { href: "#/" }, "runs")),
          S.h("p", { class: "error" }, String(e.message ?? e)),
        );
      }
    });
    return rendering;
  }

  /** Whether a change under `paths` (ids of changed run folders) concerns the current view. */
  function concerns(paths) {
    const r = route();
    if (r.kind === "table" || r.kind === "suite" || r.kind === "sweep") return true;
    return paths.some((p) => r.ids.some((id) => p === id || p.startsWith(`${id}/`)));
  }

  globalThis.addEventListener("hashchange", () => render());
  globalThis.addEventListener("DOMContentLoaded", () => {
    const start = globalThis.SKIPLAB_EMBEDDED?.start;
    if (start && !location.hash) history.replaceState(null, "", start);
    render();
    if (globalThis.SKIPLAB_EMBEDDED) return; // a saved report is a snapshot
    const events = new EventSource("/api/events");
    let pending;
    const soon = () => {
      clearTimeout(pending);
      pending = setTimeout(render, 150);
    };
    events.addEventListener("change", (e) => {
      if (concerns(JSON.parse(e.data).paths)) soon();
    });
    // Statuses age without any write (a run that died turns failed or interrupted).
    events.addEventListener("tick", () => {
      if (route().kind === "table" || document.querySelector(".s-training")) soon();
    });
    events.addEventListener("open", () => (document.body.dataset.live = "1"));
  });
})();
