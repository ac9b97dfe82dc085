import assert from "node:assert/strict";
import * as aq from "arquero";
import { join } from "node:path";
import { GRADIENT_COLUMNS } from "../../rundir/mod.ts";
import {
  gradientRatio,
  PAPER_COLUMNS,
  paperDisplay,
  paperTable,
  writePaperTable,
} from "../../analysis/paper_table.ts";
import { readRun } from "../../analysis/run_files.ts";
import { FIXTURES } from "./_helpers.ts";

const names = ["baseline_cnn", "resnet18"];
const runs = await Promise.all(names.map((n) => readRun(join(FIXTURES, `run_${n}`))));

/** Norm of a main-path depth in the final weights' rows, read straight from gradients.csv. */
async function finalNorm(name: string, depth: "first" | "last"): Promise<number> {
  const rows = (await Deno.readTextFile(join(FIXTURES, `run_${name}`, "gradients.csv"))).trim()
    .split("\n").slice(1)
    .map((l) => l.split(",")).map(([p, , , , path, d, n]) => ({ p, path, d: +d, n: +n }));
  const final = rows.filter((r) => r.p === "final" && r.path === "main");
  const d = depth === "first" ? 0 : Math.max(...final.map((r) => r.d));
  return final.find((r) => r.d === d)!.n;
}

Deno.test("paperTable() of two runs gives two rows equal to summary.json, history.csv and gradients.csv", async () => {
  const table = paperTable(runs);
  assert.deepEqual(table.columnNames(), PAPER_COLUMNS);
  assert.equal(table.numRows(), 2);
  for (const [i, name] of names.entries()) {
    const s = JSON.parse(await Deno.readTextFile(join(FIXTURES, `run_${name}`, "summary.json")));
    const history = (await Deno.readTextFile(join(FIXTURES, `run_${name}`, "history.csv"))).trim()
      .split("\n").slice(1);
    const row = table.object(i) as Record<string, unknown>;
    assert.equal(row["Model"], s.name);
    assert.equal(row["Test Acc."], s.test_acc);
    assert.equal(row["Train Time (min)"], s.train_minutes);
    assert.equal(row["Params"], s.trainable_params);
    assert.equal(row["Epochs"], s.epochs_run);
    assert.equal(row["Epochs"], history.length);
    // The fixtures predate format.json: their epochs count from 0, Table I's from 1.
    assert.equal(row["Best Epoch"], s.best_epoch + 1);
    assert.equal(row["Seconds/Epoch"], s.seconds_per_epoch);
    assert.equal(row["Peak Memory (MB)"], s.peak_memory_mb);
    const ratio = (await finalNorm(name, "first")) / (await finalNorm(name, "last"));
    assert.ok(Number.isFinite(ratio) && ratio > 0);
    assert.ok(Math.abs((row["Grad Ratio (first/last, final weights)"] as number) - ratio) < 1e-12);
  }
});

Deno.test("paperTable() falls back to history.csv for a run without summary.json", async () => {
  const run = { ...runs[0], summary: undefined };
  const row = paperTable([run]).object(0) as Record<string, number>;
  const [head, ...lines] =
    (await Deno.readTextFile(join(FIXTURES, "run_baseline_cnn", "history.csv")))
      .trim().split("\n").map((l) => l.split(","));
  const col = (name: string) => lines.map((l) => Number(l[head.indexOf(name)]));
  const val = col("val_loss");
  assert.equal(row["Epochs"], lines.length);
  // Lowest val_loss; the fixture's history.csv numbers epochs from 0, Table I from 1.
  assert.equal(row["Best Epoch"], col("epoch")[val.indexOf(Math.min(...val))] + 1);
  assert.equal(row["Peak Memory (MB)"], Math.max(...col("memory_mb")));
  assert.ok(Number.isNaN(row["Test Acc."]));
  assert.ok(
    Number.isNaN(
      gradientRatio({
        ...run,
        gradients: aq.table(Object.fromEntries(GRADIENT_COLUMNS.map((c) => [c, []]))),
      }),
    ),
  );
});

Deno.test("writePaperTable() writes table.csv with raw numbers and table.md in the paper's layout", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const files = await writePaperTable(dir, paperTable(runs));
    assert.deepEqual(files, [join(dir, "table.csv"), join(dir, "table.md")]);
    const csv = aq.fromCSV(await Deno.readTextFile(join(dir, "table.csv")));
    assert.deepEqual(csv.array("Test Acc."), runs.map((r) => r.summary!.test_acc));
    const md = await Deno.readTextFile(join(dir, "table.md"));
    assert.match(
      md,
      /\| Model \| n \| Test Acc\. \| Paper Test Acc\. \| Train Time \(min\) \| Paper Train Time \(min\) \| Params \|/,
    );
    const s = runs[0].summary!;
    // The paper's Table I: Baseline CNN 84.1%, 2 minutes.
    const row = `| baseline_cnn | 1 | ${(s.test_acc * 100).toFixed(2)}% | 84.1% | ${
      s.train_minutes.toFixed(2)
    } | 2 | ${s.trainable_params.toLocaleString("en-US")} | ${s.epochs_run} | ${s.best_epoch} | ${
      s.seconds_per_epoch.toFixed(2)
    } | ${s.peak_memory_mb.toFixed(1)} |`;
    assert.ok(md.includes(row), `${row} not in\n${md}`);
    await assert.rejects(
      () => writePaperTable(dir, aq.table({ Model: ["x"] })),
      RangeError,
      "lacks column(s) Test Acc.",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("paperTable() makes one row per setting: mean, sample SD and n over its seeds", () => {
  const seed = (test_acc: number, train_minutes: number) => ({
    ...runs[1],
    summary: { ...runs[1].summary!, test_acc, train_minutes },
  });
  const table = paperTable([seed(0.5, 1), runs[0], seed(0.6, 3)], {
    settings: ["resnet18", "baseline_cnn", "resnet18"],
  });
  assert.deepEqual(table.array("Model"), ["resnet18", "baseline_cnn"]);
  const row = table.object(0) as Record<string, number>;
  assert.equal(row["n"], 2);
  assert.ok(Math.abs(row["Test Acc."] - 0.55) < 1e-12);
  // Two values: the sample SD is |a − b| / √2.
  assert.ok(Math.abs(row["Test Acc. SD"] - 0.1 / Math.SQRT2) < 1e-12);
  assert.equal(row["Train Time (min)"], 2);
  assert.equal(row["Paper Test Acc."], 0.899);
  assert.ok(Number.isNaN((table.object(1) as Record<string, number>)["Test Acc. SD"]));
  assert.throws(() => paperTable(runs, { settings: ["a"] }), RangeError, "one per run (2)");
});

Deno.test("paperTable() gives a setting's best epoch as its seeds' median, shown with their range", () => {
  const seed = (best_epoch: number) => ({
    ...runs[1],
    summary: { ...runs[1].summary!, best_epoch },
  });
  const table = paperTable([seed(3), seed(6), runs[0]], {
    settings: ["resnet18", "resnet18", "baseline_cnn"],
  });
  const row = table.object(0) as Record<string, number>;
  assert.equal(row["Best Epoch"], 4.5);
  assert.equal(row["Best Epoch Min"], 3);
  assert.equal(row["Best Epoch Max"], 6);
  const shown = paperDisplay(table).array("Best Epoch") as string[];
  assert.equal(shown[0], "4.5 (3–6)");
  assert.equal(shown[1], String(runs[0].summary!.best_epoch)); // one seed: no range
  assert.equal(
    (paperTable([seed(3), seed(3), seed(9)], { settings: ["a", "a", "a"] }).object(0) as Record<
      string,
      number
    >)["Best Epoch"],
    3,
  );
});
