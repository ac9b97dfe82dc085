import assert from "node:assert/strict";
import { join } from "node:path";
import { accuracyEffects, effectLines } from "../../analysis/effects.ts";
import { readRun, type RunData } from "../../analysis/run_files.ts";
import { FIXTURES } from "./_helpers.ts";

const [resnet, noskip, cnn] = await Promise.all(
  ["resnet18", "resnet18_noskip", "baseline_cnn"].map((n) => readRun(join(FIXTURES, `run_${n}`))),
);

/** Seeds of a fixture run with the given test accuracies and initialiser. */
const seeds = (run: RunData, accs: number[], init = "keras"): RunData[] =>
  accs.map((test_acc) => ({
    ...run,
    summary: { ...run.summary!, test_acc, recipe: { ...run.summary!.recipe, init } },
  }));

const close = (a: number, b: number, tol = 1e-9) =>
  assert.ok(Math.abs(a - b) < tol, `${a} vs ${b}`);

Deno.test("accuracyEffects() gives Welch's 95% interval of ResNet-18 − no-skip, equal variances (textbook df)", () => {
  // Hand-derived: both samples have variance 0.0004, so se = √(2·0.0004/3) = 0.0163299,
  // df = (2v)² / (2v²/2) = 4 with v = 0.0004/3, and t(0.975, 4) = 2.776445 (any t table):
  // 0.09 ± 2.776445 · 0.0163299 = [0.0446611, 0.1353389].
  const [e] = accuracyEffects([
    { setting: "resnet18", runs: seeds(resnet, [0.70, 0.72, 0.74]) },
    { setting: "resnet18_noskip", runs: seeds(noskip, [0.61, 0.63, 0.65]) },
  ]);
  assert.equal(e.label, "ResNet-18 − no-skip");
  assert.equal(e.init, "keras");
  assert.deepEqual([e.a, e.b, e.nA, e.nB], ["resnet18", "resnet18_noskip", 3, 3]);
  close(e.diff, 0.09);
  close(e.df, 4);
  close(e.low, 0.09 - 2.776445105 * Math.sqrt(0.0008 / 3), 1e-8);
  close(e.high, 0.09 + 2.776445105 * Math.sqrt(0.0008 / 3), 1e-8);
});

Deno.test("accuracyEffects() matches an independent Welch computation with unequal variances", () => {
  // Computed apart with Python's statistics module and a Student t quantile found by
  // Simpson integration of the t density (math.lgamma) and bisection, not stats.ts:
  // df 3.4482758620689, t 2.9607304803, interval [0.0154578271, 0.0778755062].
  const [skip, base] = accuracyEffects([
    { setting: "resnet18", runs: seeds(resnet, [0.71, 0.73, 0.72]) },
    { setting: "resnet18_noskip", runs: seeds(noskip, [0.5, 0.52]) },
    { setting: "baseline_cnn", runs: seeds(cnn, [0.66, 0.69, 0.67]) },
  ]);
  assert.equal(skip.label, "ResNet-18 − no-skip");
  assert.equal(base.label, "ResNet-18 − baseline");
  close(base.diff, 0.0466666667, 1e-9);
  close(base.df, 3.4482758620689, 1e-9);
  close(base.low, 0.0154578271, 1e-7);
  close(base.high, 0.0778755062, 1e-7);
});

Deno.test("accuracyEffects() pairs settings per initialiser and gives no interval for one seed", () => {
  const effects = accuracyEffects([
    { setting: "resnet18-keras", runs: seeds(resnet, [0.7, 0.72], "keras") },
    { setting: "resnet18_noskip-keras", runs: seeds(noskip, [0.6, 0.64], "keras") },
    { setting: "resnet18-pytorch", runs: seeds(resnet, [0.75], "pytorch") },
    { setting: "resnet18_noskip-pytorch", runs: seeds(noskip, [0.5], "pytorch") },
  ]);
  assert.deepEqual(effects.map((e) => [e.init, e.a, e.b]), [
    ["keras", "resnet18-keras", "resnet18_noskip-keras"],
    ["pytorch", "resnet18-pytorch", "resnet18_noskip-pytorch"],
  ]);
  close(effects[1].diff, 0.25);
  assert.ok(Number.isNaN(effects[1].low));
  const lines = effectLines(effects);
  assert.match(lines[0], /^ResNet-18 − no-skip \(init keras\): \+9\.00 points, 95% CI \[/);
  assert.match(lines[1], /\+25\.00 points, no interval: n 1 and 1/);
});
