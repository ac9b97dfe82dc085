import assert from "node:assert/strict";
import { join } from "node:path";
import { readConfusion, readHistory, readRun, readSummary } from "../../analysis/run_files.ts";
import { FIXTURES } from "./_helpers.ts";

Deno.test("readRun() reads every file of a fixture run", async () => {
  const run = await readRun(join(FIXTURES, "run_resnet18"));
  assert.equal(run.name, "resnet18");
  assert.equal(run.history.numRows(), 5);
  assert.deepEqual(run.history.columnNames().slice(0, 3), ["epoch", "loss", "acc"]);
  assert.equal(run.summary?.epochs_run, 5);
  assert.equal(run.confusion?.classNames.length, 10);
  assert.equal(run.gradients.numRows(), 18 * 3 + 18 * 4);
});

Deno.test("readHistory() turns empty cells into NaN and rejects a missing column", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "history.csv");
    await Deno.writeTextFile(
      path,
      "epoch,loss,acc,val_loss,val_acc,lr,seconds,images_per_sec,memory_mb\n0,NaN,0.5,,0.4,0.001,1,2,3\n",
    );
    const t = await readHistory(path);
    assert.ok(Number.isNaN(t.get("loss", 0)));
    assert.ok(Number.isNaN(t.get("val_loss", 0)));
    assert.equal(t.get("acc", 0), 0.5);
    await Deno.writeTextFile(path, "epoch,loss\n0,1\n");
    await assert.rejects(() => readHistory(path), SyntaxError, "missing column(s) acc, val_loss");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readConfusion() and readSummary() reject malformed files", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const cm = join(dir, "confusion.csv");
    await Deno.writeTextFile(cm, "class,a,b\na,1,0\nb,0,1\n");
    await assert.rejects(() => readConfusion(cm), SyntaxError, "first column must be 'actual'");
    await Deno.writeTextFile(cm, "actual,a,b\na,1,0\nb,0\n");
    await assert.rejects(() => readConfusion(cm), SyntaxError, "row 3 must be 'b' then 2 counts");
    const s = join(dir, "summary.json");
    await Deno.writeTextFile(s, JSON.stringify({ name: "x" }));
    await assert.rejects(() => readSummary(s), SyntaxError, "'model' must be a string");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readRun() rejects a directory without history.csv or summary.json", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await assert.rejects(
      () => readRun(dir),
      Deno.errors.NotFound,
      "neither history.csv nor summary.json",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
