import assert from "node:assert/strict";
import { Rng } from "../../core/rng.ts";
import {
  draw,
  expandMembers,
  expandSettings,
  parseSweepSpec,
  settingOverrides,
  type SweepSpec,
} from "../../sweep/mod.ts";

function spec(value: Record<string, unknown>): SweepSpec {
  const r = parseSweepSpec({ name: "s", experiment: "base.yaml", ...value });
  if (!r.spec) throw new Error(JSON.stringify(r.issues));
  return r.spec;
}

Deno.test("expandSettings() crosses every grid value, first key outermost, named after the values", () => {
  const s = spec({
    grid: { "optimizer.lr": [0.001, 0.01], model: ["baseline_cnn", "mini_resnet"] },
  });
  const settings = expandSettings(s);
  assert.deepEqual(settings.map((x) => x.id), [
    "lr-0.001_model-baseline_cnn",
    "lr-0.001_model-mini_resnet",
    "lr-0.01_model-baseline_cnn",
    "lr-0.01_model-mini_resnet",
  ]);
  assert.deepEqual(settings[1].values, { "optimizer.lr": 0.001, model: "mini_resnet" });
});

Deno.test("expandSettings() labels keys by their whole path when two share a last segment", () => {
  const s = spec({
    grid: {
      "plugins.callbacks/early-stopping.patience": [3],
      "plugins.callbacks/reduce-lr-on-plateau.patience": [2],
    },
  });
  assert.deepEqual(expandSettings(s).map((x) => x.id), [
    "plugins-callbacks-early-stopping-patience-3_plugins-callbacks-reduce-lr-on-plateau-patience-2",
  ]);
});

Deno.test("expandSettings() draws random axes from their seeded distributions, the same draws every time", () => {
  const random = {
    count: 50,
    seed: 7,
    axes: {
      "optimizer.lr": { log_uniform: [1e-4, 1e-2] },
      "model_options.dropout": { uniform: [0, 0.5] },
      batch_size: { int: [32, 34] },
      model: { choice: ["baseline_cnn", "mini_resnet"] },
    },
  };
  const a = expandSettings(spec({ random }));
  const b = expandSettings(spec({ random }));
  assert.deepEqual(a, b);
  assert.equal(a.length, 50);
  assert.notDeepEqual(a, expandSettings(spec({ random: { ...random, seed: 8 } })));
  for (const { values: v } of a) {
    assert.ok((v["optimizer.lr"] as number) >= 1e-4 && (v["optimizer.lr"] as number) < 1e-2);
    assert.ok(
      (v["model_options.dropout"] as number) >= 0 && (v["model_options.dropout"] as number) < 0.5,
    );
    assert.ok([32, 33, 34].includes(v.batch_size as number));
    assert.ok(["baseline_cnn", "mini_resnet"].includes(v.model as string));
  }
  // The inclusive integer range and every choice are reached.
  assert.deepEqual(new Set(a.map((s) => s.values.batch_size)), new Set([32, 33, 34]));
  assert.equal(new Set(a.map((s) => s.values.model)).size, 2);
  // log-uniform: about half the draws below the geometric middle (1e-3).
  const below = a.filter((s) => (s.values["optimizer.lr"] as number) < 1e-3).length;
  assert.ok(below > 12 && below < 38, `${below} of 50 below 1e-3`);
  assert.match(a[0].id, /^r01_lr-[\d.e-]+_dropout-[\d.]+_batch_size-3[234]_model-\w+$/);
});

Deno.test("draw() follows the core Rng stream, so draws can be reproduced by hand", () => {
  const rng = new Rng(3), again = new Rng(3);
  assert.equal(draw({ uniform: [2, 4] }, rng), 2 + 2 * again.next());
  assert.equal(draw({ choice: ["a", "b", "c"] }, rng), ["a", "b", "c"][again.int(3)]);
});

Deno.test("expandSettings() crosses each grid point with the same random draws", () => {
  const s = spec({
    grid: { model: ["a", "b"] },
    random: { count: 2, axes: { "optimizer.lr": { uniform: [0.1, 0.2] } } },
  });
  const settings = expandSettings(s);
  assert.equal(settings.length, 4);
  assert.equal(settings[0].values["optimizer.lr"], settings[2].values["optimizer.lr"]);
  assert.notEqual(settings[0].values["optimizer.lr"], settings[1].values["optimizer.lr"]);
  assert.match(settings[3].id, /^model-b_r2_lr-0\.1\d*$/);
});

Deno.test("expandMembers() gives every setting each seed; a count of seeds means 0 … n−1", () => {
  const listed = expandMembers(spec({ grid: { "optimizer.lr": [0.1, 0.2] }, seeds: [5, 9] }));
  assert.deepEqual(listed.map((m) => [m.id, m.setting.id, m.seed]), [
    ["lr-0.1_seed-5", "lr-0.1", 5],
    ["lr-0.1_seed-9", "lr-0.1", 9],
    ["lr-0.2_seed-5", "lr-0.2", 5],
    ["lr-0.2_seed-9", "lr-0.2", 9],
  ]);
  assert.deepEqual(expandMembers(spec({ seeds: 3 })).map((m) => m.id), [
    "base_seed-0",
    "base_seed-1",
    "base_seed-2",
  ]);
  assert.deepEqual(expandMembers(spec({ grid: { epochs: [1] } })).map((m) => [m.id, m.seed]), [
    ["epochs-1", undefined],
  ]);
});

Deno.test("settingOverrides() keeps the base's section and plugin options around a swept key", () => {
  const base = {
    optimizer: { type: "adam", lr: 0.001, beta1: 0.9 },
    plugins: [{ name: "callbacks/early-stopping", options: { patience: 7, monitor: "val_loss" } }],
  };
  const { overrides } = settingOverrides(
    { "optimizer.lr": 0.01, "plugins.callbacks/early-stopping.patience": 3, "data.limit": 64 },
    4,
    base,
  );
  assert.deepEqual(overrides, {
    optimizer: { type: "adam", lr: 0.01, beta1: 0.9 },
    data: { limit: 64 },
    plugins: [{ name: "callbacks/early-stopping", options: { patience: 3, monitor: "val_loss" } }],
    seed: 4,
  });
  assert.equal(base.optimizer.lr, 0.001, "the base is not changed");
});

Deno.test("parseSweepSpec() names the key path of every problem", () => {
  const r = parseSweepSpec({
    name: "s",
    experiment: "b.yaml",
    grid: { "optimizer.lr": [0.1, 0.1], seed: [1] },
    random: { count: 2, axes: { "optimizer.lr": { uniform: [1, 0] } } },
    seeds: [1],
    extra: 1,
  });
  assert.deepEqual(
    r.issues.map((i) => i.path.join(".")),
    ["grid.optimizer.lr", "random.axes.optimizer.lr.uniform", "extra"],
  );
  const rules = parseSweepSpec({
    name: "s",
    experiment: "b.yaml",
    grid: { optimizer: ["x"], seed: [1] },
    random: { count: 1, axes: { "optimizer.lr": { uniform: [0, 1] } } },
    seeds: 2,
  });
  assert.deepEqual(rules.issues.map((i) => i.message), [
    "'seed' is swept besides 'seeds'; keep one",
    "'optimizer' contains the swept key 'optimizer.lr'; sweep one of them",
  ]);
});
