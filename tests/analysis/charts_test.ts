import assert from "node:assert/strict";
import { gradientChart, historyCharts, lrChart, metricChart } from "../../analysis/charts.ts";
import { readRun } from "../../analysis/run_files.ts";
import { FIXTURES } from "./_helpers.ts";

const runs = await Promise.all(
  ["baseline_cnn", "resnet18"].map((n) => readRun(`${FIXTURES}run_${n}`)),
);
const opts = { color: false, width: 80, height: 6 };

Deno.test("historyCharts() draws train and val of one run, or one series per run for several", () => {
  const one = historyCharts([runs[0]], opts);
  assert.match(one, /Accuracy of baseline_cnn/);
  assert.match(one, /Loss of baseline_cnn/);
  assert.match(one, /── train {3}\*\* val/);
  const several = historyCharts(runs, opts);
  for (
    const title of ["Training accuracy", "Validation accuracy", "Training loss", "Validation loss"]
  ) {
    assert.match(several, new RegExp(title));
  }
  assert.match(several, /── baseline_cnn {3}\*\* resnet18/);
});

Deno.test("metricChart() puts the run's last epoch at the right end of the x axis", () => {
  const text = metricChart([runs[0]], "acc", opts);
  const epochs = runs[0].history.numRows();
  // The fixture's history.csv predates format.json (epochs from 0): read, its epochs start at 1.
  const axis = new RegExp(`^\\s+${[...Array(epochs).keys()].map((e) => e + 1).join("\\s+")}$`);
  const ticks = text.split("\n").find((l) => axis.test(l));
  assert.ok(ticks, text);
  assert.throws(() => metricChart(runs, "accuracy" as "acc", opts), /metric 'accuracy'/);
});

Deno.test("gradientChart() plots init and final norms by main-path depth on a log scale", () => {
  const text = gradientChart(runs, opts);
  assert.match(text, /Gradient norm by main-path depth \(at initialisation\) \(log10 scale\)/);
  assert.match(text, /Gradient norm by main-path depth \(final weights\) \(log10 scale\)/);
  // resnet18's classifier (main-path depth 17, the same as without skips) ends the x axis.
  const main = (runs[1].gradients.objects() as { path: string; depth: number }[])
    .filter((o) => o.path === "main");
  const deepest = Math.max(...main.map((o) => o.depth));
  assert.equal(deepest, 17);
  assert.match(text, new RegExp(`\\b${deepest}\\s*$`, "m"));
});

Deno.test("lrChart() shows the learning-rate drop", () => {
  const text = lrChart([runs[0]], opts);
  assert.match(text, /1\.0e-3/);
  assert.match(text, /2\.0e-4/);
});

Deno.test("metricChart() draws the runs of one setting as one line, their mean", () => {
  const shifted = {
    ...runs[0],
    history: runs[0].history.derive({ acc: (d: { acc: number }) => d.acc + 0.2 }),
  };
  const merged = metricChart([runs[0], shifted], "acc", { ...opts, settings: ["cnn", "cnn"] });
  assert.match(merged, /── cnn \(mean of 2\)\n/);
  // The line is the mean: the original run's curve raised by 0.1, y labels included.
  const raised = {
    ...runs[0],
    history: runs[0].history.derive({ acc: (d: { acc: number }) => d.acc + 0.1 }),
  };
  const plot = (t: string) => t.split("\n").slice(1, 8);
  assert.deepEqual(plot(merged), plot(metricChart([raised], "acc", opts)));
});
