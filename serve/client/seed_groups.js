// skiplab dashboard: runs that differ only in seed, drawn as one mean line with a ±1 SD band
// (the report's figures' way), and the page's "show each seed" switch over them.
"use strict";
globalThis.skiplab = globalThis.skiplab ?? {};
(() => {
  const S = globalThis.skiplab;

  /**
   * `details` grouped by their `seedGroup` (the server's hash of the recipe less seed, name
   * and output folder), in the order each group first appears: [{runs}]. A run without one
   * (no recipe to read) stays alone.
   */
  S.seedGroups = (details) => {
    const groups = new Map();
    details.forEach((d, i) => {
      const key = d.seedGroup ?? `\0${i}`;
      if (!groups.has(key)) groups.set(key, { runs: [] });
      groups.get(key).runs.push(d);
    });
    return [...groups.values()];
  };

  /**
   * The mean over `lists` (each [[x, y]…], one per run) at each x, with the band of ± one
   * sample standard deviation where two or more runs have a finite value there:
   * [[x, mean, low, high, n]…] by x (low and high NaN under two).
   */
  S.meanBand = (lists) => {
    const byX = new Map();
    for (const points of lists) {
      for (const [x, y] of points) {
        if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
        if (!byX.has(x)) byX.set(x, []);
        byX.get(x).push(y);
      }
    }
    return [...byX].sort((a, b) => a[0] - b[0]).map(([x, ys]) => {
      const n = ys.length, mean = ys.reduce((a, v) => a + v, 0) / n;
      const sd = n > 1 ? Math.sqrt(ys.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1)) : NaN;
      return [x, mean, mean - sd, mean + sd, n];
    });
  };

  /**
   * The series of one group for a chart: `pointsOf(run)` gives a run's [[x, y]…]. A group of
   * one is its run's line; a larger one the mean with its band, its runs as `members` (drawn
   * only while "show each seed" is on), each labelled by its seed, else its id.
   */
  S.groupSeries = (group, pointsOf, style) => {
    const { runs } = group;
    if (runs.length === 1) return { ...style, points: pointsOf(runs[0]) };
    const seeds = runs.map((d) => d.seed);
    const plain = seeds.every((s) => s !== null) && new Set(seeds).size === seeds.length;
    return {
      ...style,
      points: S.meanBand(runs.map(pointsOf)),
      members: runs.map((d) => ({
        label: plain ? `seed ${d.seed}` : d.id,
        points: pointsOf(d),
      })),
    };
  };

  /**
   * A checkbox "show each seed" that draws (or hides) the per-seed lines of every chart
   * under `root` whose specification has them (its Vega signal `seeds`); `root.dataset.seeds`
   * says "shown" or "hidden" once every chart has redrawn.
   */
  S.seedToggle = (root) => {
    const box = S.h("input", { type: "checkbox", "data-toggle": "seeds" });
    box.addEventListener("change", async () => {
      const on = box.checked;
      const figures = [...root.querySelectorAll("figure[data-seeds]")].filter((f) => f.view);
      await Promise.all(figures.map((f) => f.view.signal("seeds", on).runAsync()));
      root.dataset.seeds = on ? "shown" : "hidden";
    });
    root.dataset.seeds = "hidden";
    return S.h("label", { class: "toggle" }, box, " show each seed");
  };
})();
