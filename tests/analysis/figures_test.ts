import assert from "node:assert/strict";
import { join } from "node:path";
import { ablationFigure, trainingFigure, validationFigure } from "../../analysis/curve_figures.ts";
import { confusionFigure, gradientFigure, isNoSkip } from "../../analysis/figures.ts";
import { readRun } from "../../analysis/run_files.ts";
import { byClass, FIXTURES, parseSvg, texts } from "./_helpers.ts";

const runs = await Promise.all(
  ["baseline_cnn", "resnet18", "resnet18_noskip"].map((n) => readRun(join(FIXTURES, `run_${n}`))),
);
const names = runs.map((r) => r.name);

Deno.test("trainingFigure() and validationFigure() draw accuracy and loss panels with one line per run", async () => {
  for (
    const [draw, title] of [[trainingFigure, "training"], [validationFigure, "validation"]] as const
  ) {
    const doc = parseSvg(await draw(runs));
    assert.equal(byClass(doc, "mark-line role-mark").length, 2 * runs.length);
    assert.deepEqual(texts(doc, "mark-text role-legend-label"), names);
    const titles = texts(doc, "mark-text role-title-text");
    assert.ok(
      titles.includes(`${title} accuracy`) && titles.includes(`${title} loss`),
      titles.join("|"),
    );
  }
});

Deno.test("gradientFigure() draws one line per run and panel (init, final) on a log axis", async () => {
  const doc = parseSvg(await gradientFigure(runs));
  assert.equal(byClass(doc, "mark-line role-mark").length, 2 * runs.length);
  // One point per main-path layer, run and panel; the shortcuts are not on this axis.
  const main = (r: (typeof runs)[number], point: string) =>
    (r.gradients.objects() as { point: string; path: string }[])
      .filter((o) => o.point === point && o.path === "main").length;
  const expected = runs.reduce((n, r) => n + main(r, "init") + main(r, "final"), 0);
  const points = byClass(doc, "mark-symbol role-mark").flatMap((g) =>
    Array.from(g.getElementsByTagName("path"))
  );
  assert.equal(points.length, expected);
  const titles = texts(doc, "mark-text role-title-text");
  assert.ok(
    titles.includes("at initialisation") && titles.includes("final weights"),
    titles.join("|"),
  );
  const labels = texts(doc, "mark-text role-axis-label").map(Number);
  // A log axis: its labels are powers of ten.
  assert.ok(labels.some((v) => v > 0 && Number.isInteger(Math.log10(v))), labels.join("|"));
});

Deno.test("ablationFigure() dashes the runs without skip connections", async () => {
  assert.deepEqual(runs.map(isNoSkip), [false, false, true]);
  const doc = parseSvg(await ablationFigure(runs, "train"));
  const lines = byClass(doc, "mark-line role-mark").flatMap((g) =>
    Array.from(g.getElementsByTagName("path"))
  );
  assert.equal(lines.length, 2 * runs.length);
  const dashed = lines.filter((p) => (p.getAttribute("stroke-dasharray") ?? "1,0") !== "1,0");
  assert.equal(dashed.length, 2);
  assert.ok(
    dashed.every((p) => (p.getAttribute("aria-label") ?? "").includes("setting: resnet18_noskip")),
  );
  assert.ok(texts(doc, "mark-text role-legend-label").includes("without skips"));
  await assert.rejects(() => ablationFigure(runs, "test" as "val"), RangeError);
});

Deno.test("confusionFigure() draws a cell and a count per class pair", async () => {
  const cm = runs[1].confusion!;
  const doc = parseSvg(await confusionFigure(cm));
  const cells = byClass(doc, "mark-rect role-mark").flatMap((g) =>
    Array.from(g.getElementsByTagName("path"))
  );
  assert.equal(cells.length, 100);
  const counts = texts(doc, "mark-text role-mark").map(Number).sort((a, b) => a - b);
  assert.deepEqual(counts, cm.matrix.flat().sort((a, b) => a - b));
  await assert.rejects(() => confusionFigure({ classNames: ["a"], matrix: [[1, 2]] }), RangeError);
});

Deno.test("trainingFigure() rejects an empty list of runs", async () => {
  await assert.rejects(() => trainingFigure([]), RangeError, "at least one run");
});
