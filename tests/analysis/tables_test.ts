import assert from "node:assert/strict";
import * as aq from "arquero";
import { join } from "node:path";
import { classificationReport } from "../../analysis/metrics.ts";
import { readRun } from "../../analysis/run_files.ts";
import {
  classReportTable,
  formatTable,
  gradientTable,
  historyTable,
  layerNormTable,
  markdownTable,
  summaryTable,
  writeTable,
} from "../../analysis/tables.ts";
import { FIXTURES } from "./_helpers.ts";

const runs = await Promise.all(
  ["baseline_cnn", "resnet18"].map((n) => readRun(join(FIXTURES, `run_${n}`))),
);

Deno.test("historyTable() and gradientTable() stack runs with a run column", () => {
  const h = historyTable(runs);
  assert.equal(h.numRows(), runs[0].history.numRows() + runs[1].history.numRows());
  assert.deepEqual(h.columnNames().slice(0, 2), ["run", "epoch"]);
  assert.deepEqual(aq.from(h.objects()).dedupe("run").array("run"), ["baseline_cnn", "resnet18"]);
  assert.equal(
    gradientTable(runs).numRows(),
    runs[0].gradients.numRows() + runs[1].gradients.numRows(),
  );
});

Deno.test("layerNormTable() averages epoch-average rows only, per run and depth", () => {
  const rows = runs[0].gradients.objects() as {
    point: string;
    epoch: number;
    step: number;
    depth: number;
    norm: number;
  }[];
  const averages = rows.filter((r) => r.point === "epoch" && r.step === -1);
  const depths = [...new Set(averages.map((r) => r.depth))];
  const lastEpoch = Math.max(...averages.map((r) => r.epoch));
  // Per-step rows (what `every` windows record) must not count: add some with huge norms.
  const steps = averages.map((r) => ({ ...r, step: 0, norm: 1e6 }));
  const run = { ...runs[0], gradients: aq.from([...rows, ...steps]) };
  const last = layerNormTable([run], { point: "last_epoch" }).objects() as {
    depth: number;
    norm: number;
  }[];
  assert.equal(last.length, depths.length);
  const at = (epoch: number | undefined, depth: number) =>
    averages.filter((r) => r.depth === depth && (epoch === undefined || r.epoch === epoch))
      .map((r) => r.norm);
  assert.equal(last[0].norm, at(lastEpoch, 0)[0]);
  const all = layerNormTable([run], { point: "epochs" }).objects() as {
    depth: number;
    norm: number;
  }[];
  const mean = at(undefined, 0).reduce((a, b) => a + b, 0) / at(undefined, 0).length;
  assert.ok(Math.abs(all[0].norm - mean) < 1e-12, `${all[0].norm} vs ${mean}`);
});

Deno.test("layerNormTable() gives the init and final points on the main path, shortcuts apart", () => {
  const rows = runs[1].gradients.objects() as {
    point: string;
    path: string;
    layer: string;
    depth: number;
    norm: number;
  }[];
  for (const point of ["init", "final"] as const) {
    const main = rows.filter((r) => r.point === point && r.path === "main");
    const table = layerNormTable([runs[1]], { point }).objects() as typeof rows;
    assert.deepEqual(
      table.map((r) => [r.layer, r.depth, r.norm]),
      main.map((r) => [r.layer, r.depth, r.norm]),
    );
    const shortcut = layerNormTable([runs[1]], { point, path: "shortcut" })
      .objects() as typeof rows;
    assert.deepEqual(shortcut.map((r) => r.layer), [
      "stage2_block1_proj_conv",
      "stage3_block1_proj_conv",
      "stage4_block1_proj_conv",
    ]);
  }
});

Deno.test("formatTable() aligns columns, numbers right and text left", () => {
  const text = formatTable(
    aq.table({ model: ["cnn", "resnet18"], acc: [0.84123456, 0.9], n: [3, NaN] }),
  );
  assert.equal(
    text,
    ["model        acc  n", "--------  ------  -", "cnn       0.8412  3", "resnet18     0.9  —", ""]
      .join("\n"),
  );
  assert.throws(() => formatTable({} as aq.ColumnTable), TypeError);
});

Deno.test("markdownTable() and classReportTable() give the class report in Markdown", () => {
  const md = markdownTable(classReportTable(classificationReport([[1, 1], [0, 2]], ["a", "b"])));
  assert.match(
    md,
    /^\| class \| precision \| recall \| f1 \| support \|\n\|:--\|--:\|--:\|--:\|--:\|\n/,
  );
  assert.match(md, /\| a \| 1 \| 0\.5 \| 0\.6667 \| 2 \|/);
  assert.match(md, /\| weighted avg \|/);
});

Deno.test("summaryTable() has one row per run; writeTable() writes CSV and JSON with NaN as empty/null", async () => {
  const s = summaryTable(runs);
  assert.deepEqual(s.array("name"), ["baseline_cnn", "resnet18"]);
  const dir = await Deno.makeTempDir();
  try {
    const t = aq.table({ a: [1, NaN], b: ["x", "y"] });
    await writeTable(t, join(dir, "sub", "t.csv"));
    assert.equal(await Deno.readTextFile(join(dir, "sub", "t.csv")), "a,b\n1,x\n,y\n");
    await writeTable(t, join(dir, "t.json"));
    assert.deepEqual(JSON.parse(await Deno.readTextFile(join(dir, "t.json"))), [{ a: 1, b: "x" }, {
      a: null,
      b: "y",
    }]);
    await assert.rejects(
      () => writeTable(t, join(dir, "t.txt")),
      RangeError,
      "must end in .csv or .json",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
