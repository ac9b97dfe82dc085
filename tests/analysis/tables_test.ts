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
  assert.equal(h.numRows(), 10);
  assert.deepEqual(h.columnNames().slice(0, 2), ["run", "epoch"]);
  assert.deepEqual(aq.from(h.objects()).dedupe("run").array("run"), ["baseline_cnn", "resnet18"]);
  assert.equal(
    gradientTable(runs).numRows(),
    runs[0].gradients.numRows() + runs[1].gradients.numRows(),
  );
});

Deno.test("layerNormTable() averages epoch-average rows only, per run and depth", () => {
  const last = layerNormTable([runs[0]], { lastEpoch: true }).objects() as {
    depth: number;
    norm: number;
  }[];
  assert.equal(last.length, 7);
  // Fixture epoch 4 has only step -1 rows: depth 0 norm 0.0028.
  assert.equal(last[0].norm, 0.0028);
  // Over all epochs: epoch 0 has steps 0, 1 and -1; only the -1 row counts (0.002), then 0.0022 … 0.0028.
  const all = layerNormTable([runs[0]]).objects() as { depth: number; norm: number }[];
  assert.ok(Math.abs(all[0].norm - (0.002 + 0.0022 + 0.0024 + 0.0026 + 0.0028) / 5) < 1e-12);
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
