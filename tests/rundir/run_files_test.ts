import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  HISTORY_COLUMNS,
  parseCsv,
  readConfusion,
  readHistory,
  readRunFiles,
  readSummary,
  toCsv,
} from "../../rundir/mod.ts";

const FIXTURES = fileURLToPath(new URL("../fixtures/", import.meta.url));

async function tempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("readRunFiles() reads every file of a fixture run, as its files say", async () => {
  const dir = join(FIXTURES, "run_resnet18");
  const run = await readRunFiles(dir);
  const lines = async (f: string) =>
    (await Deno.readTextFile(join(dir, f))).trim().split("\n").length - 1;
  assert.equal(run.name, "resnet18");
  assert.equal(run.history.length, await lines("history.csv"));
  assert.deepEqual(Object.keys(run.history[0]), HISTORY_COLUMNS);
  assert.equal(run.summary?.epochs_run, run.history.length);
  assert.equal(run.summary?.architecture.skip, true);
  assert.equal(run.confusion?.classNames.length, run.summary?.class_names.length);
  assert.equal(run.gradients.length, await lines("gradients.csv"));
  assert.ok(run.gradients.every((g) => typeof g.layer === "string" && Number.isFinite(g.norm)));
});

Deno.test("toCsv() and parseCsv() round-trip quoted cells", () => {
  const text = toCsv([{ a: 'say "hi", twice', b: 1 }, { a: "x\ny", b: 2.5 }]);
  const { header, rows } = parseCsv(text, "t.csv");
  assert.deepEqual(header, ["a", "b"]);
  assert.deepEqual(rows, [['say "hi", twice', "1"], ["x\ny", "2.5"]]);
  assert.throws(
    () => parseCsv("a,b\n1\n", "t.csv"),
    /'t\.csv': line 2 has 1 cells, the header has 2/,
  );
});

Deno.test("readHistory() turns empty cells into NaN and rejects a missing column", async () => {
  await tempDir(async (dir) => {
    const path = join(dir, "history.csv");
    await Deno.writeTextFile(path, `${HISTORY_COLUMNS.join(",")}\n0,NaN,0.5,,0.4,0.001,1,2,3\n`);
    const [row] = await readHistory(path);
    assert.ok(Number.isNaN(row.loss));
    assert.ok(Number.isNaN(row.val_loss));
    assert.equal(row.acc, 0.5);
    await Deno.writeTextFile(path, "epoch,loss\n0,1\n");
    await assert.rejects(() => readHistory(path), SyntaxError, "missing column(s) acc, val_loss");
  });
});

Deno.test("readConfusion() and readSummary() reject malformed files, naming file and key", async () => {
  await tempDir(async (dir) => {
    const cm = join(dir, "confusion.csv");
    await Deno.writeTextFile(cm, "class,a,b\na,1,0\nb,0,1\n");
    await assert.rejects(() => readConfusion(cm), SyntaxError, "first column must be 'actual'");
    await Deno.writeTextFile(cm, "actual,a,b\na,1,0\nb,0,x\n");
    await assert.rejects(() => readConfusion(cm), SyntaxError, "row 3 must be 'b' then 2 counts");
    const s = join(dir, "summary.json");
    const good = JSON.parse(
      await Deno.readTextFile(join(FIXTURES, "run_resnet18", "summary.json")),
    );
    await Deno.writeTextFile(s, JSON.stringify({ ...good, model: 3 }));
    await assert.rejects(() => readSummary(s), SyntaxError, `'${s}': 'model'`);
    await Deno.writeTextFile(
      s,
      JSON.stringify({ ...good, architecture: { ...good.architecture, skip: "no" } }),
    );
    await assert.rejects(() => readSummary(s), SyntaxError, "'architecture.skip'");
    await Deno.writeTextFile(s, JSON.stringify({ ...good, surprise: 1 }));
    await assert.rejects(() => readSummary(s), SyntaxError, "surprise");
    await Deno.writeTextFile(s, JSON.stringify({ ...good, test_acc: null }));
    assert.ok(Number.isNaN((await readSummary(s)).test_acc));
  });
});

Deno.test("readRunFiles() rejects a directory without history.csv or summary.json", async () => {
  await tempDir(async (dir) => {
    await assert.rejects(
      () => readRunFiles(dir),
      Deno.errors.NotFound,
      "neither history.csv nor summary.json",
    );
  });
});
