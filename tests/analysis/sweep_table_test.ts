import assert from "node:assert/strict";
import {
  bestSentence,
  bestSetting,
  type MemberResult,
  sweepAxisFigure,
  sweepAxisSpec,
  sweepSettingsSpec,
  sweepTable,
} from "../../analysis/mod.ts";

const lr = "optimizer.lr";
function member(setting: string, seed: number, value: number, test_acc: number, val: number) {
  return {
    setting,
    seed,
    values: { [lr]: value },
    test_acc,
    best_val_acc: val,
    epochs: 2 + seed,
    minutes: 0.5 * (seed + 1),
  } satisfies MemberResult;
}

const results = [
  member("lr-0.001", 0, 0.001, 0.60, 0.62),
  member("lr-0.001", 1, 0.001, 0.64, 0.66),
  member("lr-0.001", 2, 0.001, 0.68, 0.61),
  member("lr-0.01", 0, 0.01, 0.70, 0.50),
  member("lr-0.01", 1, 0.01, 0.50, 0.58),
];

Deno.test("sweepTable() gives each setting n, mean and sample std over its seeds", () => {
  const t = sweepTable(results, [lr]);
  assert.equal(t.numRows(), 2);
  const [a, b] = t.objects() as Record<string, number | string>[];
  assert.equal(a.setting, "lr-0.001");
  assert.equal(a[lr], 0.001);
  assert.equal(a.n, 3);
  assert.equal(a.seeds, "0 1 2");
  assert.ok(Math.abs((a.test_acc_mean as number) - 0.64) < 1e-12);
  assert.ok(Math.abs((a.test_acc_std as number) - 0.04) < 1e-12); // (0.04² + 0 + 0.04²) / 2
  assert.ok(Math.abs((a.best_val_acc_mean as number) - 0.63) < 1e-12);
  assert.ok(Math.abs((a.best_val_acc_std as number) - Math.sqrt(0.0007)) < 1e-12);
  assert.equal(a.epochs_mean, 3);
  assert.equal(a.epochs_std, 1);
  assert.equal(a.minutes_mean, 1);
  assert.equal(a.minutes_std, 0.5);
  assert.equal(b.n, 2);
  assert.ok(Math.abs((b.test_acc_mean as number) - 0.6) < 1e-12);
  assert.ok(Math.abs((b.test_acc_std as number) - Math.sqrt(0.02)) < 1e-12);
});

Deno.test("sweepTable() leaves the std of a single seed undefined (NaN), not 0", () => {
  const t = sweepTable([member("only", 0, 0.1, 0.5, 0.5)], [lr]);
  assert.equal(t.get("n", 0), 1);
  assert.ok(Number.isNaN(t.get("test_acc_std", 0)));
});

Deno.test("sweepTable() refuses two members of one setting with the same seed", () => {
  assert.throws(
    () => sweepTable([results[0], { ...results[1], seed: 0 }], [lr]),
    /setting 'lr-0.001': each seed may appear once, got 0, 0/,
  );
});

Deno.test("bestSetting() picks the highest mean best validation accuracy, not the test accuracy", () => {
  const t = sweepTable(results, [lr]);
  assert.equal(bestSetting(t)?.setting, "lr-0.001"); // val 0.63 vs 0.54, though its test mean is higher
  assert.match(
    bestSentence(t)!,
    /lr-0\.001 — best val acc 63\.0 ± 2\.6%, test acc 64\.0 ± 4\.0% over n = 3/,
  );
  assert.equal(bestSetting(sweepTable([], [lr])), undefined);
});

Deno.test("sweepAxisFigure() draws each seed and the mean against the swept key, log scale over decades", async () => {
  const wide = [...results, member("lr-0.1", 0, 0.1, 0.3, 0.3)];
  const svg = await sweepAxisFigure(wide, lr);
  assert.match(svg, /^<svg/);
  assert.match(svg, /optimizer\.lr/);
  assert.match(svg, /test accuracy/);
  assert.match(svg, /best validation accuracy/);
  const marks = (layer: string) =>
    (svg.split(`${layer}"`)[1]?.split("</g>")[0].match(/<path/g) ?? []).length;
  assert.equal(marks("layer_0_marks"), 12, "6 members × 2 metrics as points");
  assert.equal(marks("layer_1_layer_1_marks"), 6, "3 values × 2 metrics as means");
  // A log axis: ticks at each decade (a linear one from 0.001 to 0.1 would not show 0.001 and 0.01).
  assert.match(svg, />0\.001</);
  assert.match(svg, />0\.01</);
});

Deno.test("sweepAxisSpec() puts a learning rate or weight decay on a log axis even over a narrow span, other keys only over 20×", () => {
  const scale = (axis: string, values: number[]) => {
    const ms = values.map((v, i) => ({
      ...member(`s${i}`, 0, v, 0.5, 0.5),
      values: { [axis]: v },
    }));
    const spec = sweepAxisSpec(ms, axis) as { layer: { encoding: { x: { scale?: unknown } } }[] };
    return JSON.stringify(spec).includes('"scale":{"type":"log"}');
  };
  assert.equal(scale(lr, [0.0003, 0.001]), true);
  assert.equal(scale("optimizer.weight_decay", [1e-4, 5e-4]), true);
  assert.equal(scale("model_options.width", [0.25, 0.5]), false);
  assert.equal(scale("model_options.width", [0.01, 1]), true);
});

Deno.test("sweepSettingsSpec() draws one point per setting in the plane of two swept keys, coloured by mean best validation accuracy", () => {
  const two = [
    { ...member("a", 0, 0.001, 0.5, 0.4), values: { [lr]: 0.001, "model_options.width": 0.5 } },
    { ...member("a", 1, 0.001, 0.5, 0.6), values: { [lr]: 0.001, "model_options.width": 0.5 } },
    { ...member("b", 0, 0.01, 0.5, 0.7), values: { [lr]: 0.01, "model_options.width": 1 } },
  ];
  const spec = sweepSettingsSpec(two, [lr, "model_options.width"]) as {
    data: { values: { setting: string; acc: number; n: number }[] };
    encoding: { x: { scale: unknown } };
  };
  assert.deepEqual(spec.data.values.map((v) => [v.setting, v.n]), [["a", 2], ["b", 1]]);
  assert.ok(Math.abs(spec.data.values[0].acc - 0.5) < 1e-12);
  assert.deepEqual(spec.encoding.x.scale, { type: "log", padding: 24 });
  assert.throws(() => sweepSettingsSpec(two, [lr]), RangeError);
});
