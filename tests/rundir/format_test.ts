import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  epochNumber,
  markRunFormat,
  numberEpochs,
  parseCsv,
  readHeartbeat,
  readHistory,
  readRecordedTable,
  readRunFiles,
  readRunFormat,
  readSummary,
  RUN_FILES,
  RUN_FORMAT,
  writeHistory,
  writeRecordedTable,
} from "../../rundir/mod.ts";

const FIXTURES = fileURLToPath(new URL("../fixtures/", import.meta.url));
const OLD = join(FIXTURES, "run_baseline_cnn");

/** The `epoch` cells of a CSV file as written. */
async function rawEpochs(path: string): Promise<number[]> {
  const { header, rows } = parseCsv(await Deno.readTextFile(path), path);
  return rows.map((r) => Number(r[header.indexOf("epoch")]));
}

async function tempCopy(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    for await (const e of Deno.readDir(OLD)) {
      if (e.isFile) await Deno.copyFile(join(OLD, e.name), join(dir, e.name));
    }
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("epochNumber() and numberEpochs() number the trainer's epochs from 1", () => {
  assert.equal(epochNumber(0), 1);
  assert.deepEqual(numberEpochs([{ epoch: 0, loss: 2 }, { epoch: 4, x: "a" }, { loss: 1 }]), [
    { epoch: 1, loss: 2 },
    { epoch: 5, x: "a" },
    { loss: 1 },
  ]);
});

Deno.test("readRunFiles() reads a fixture run written before format.json with epochs shifted to start at 1", async () => {
  assert.equal(await readRunFormat(OLD), 1);
  const raw = JSON.parse(await Deno.readTextFile(join(OLD, RUN_FILES.summary)));
  const run = await readRunFiles(OLD);
  assert.equal(run.format, 1);
  assert.deepEqual(
    run.history.map((r) => r.epoch),
    (await rawEpochs(join(OLD, RUN_FILES.history))).map((e) => e + 1),
  );
  assert.equal(run.history[0].epoch, 1);
  assert.equal(run.summary?.best_epoch, raw.best_epoch + 1);
  // The best epoch is the history row of the lowest validation loss, in one numbering.
  const best = run.history.reduce((a, b) => (b.val_loss < a.val_loss ? b : a));
  assert.equal(run.summary?.best_epoch, best.epoch);
  assert.equal(run.history.at(-1)?.epoch, run.summary?.epochs_run);
  assert.deepEqual(
    run.gradients.map((g) => g.epoch),
    (await rawEpochs(join(OLD, RUN_FILES.gradients))).map((e) => e + 1),
  );
  assert.deepEqual(
    run.tables.timing.map((r) => r.epoch),
    (await rawEpochs(join(OLD, "timing.csv"))).map((e) => e + 1),
  );
  const rawBeat = JSON.parse(await Deno.readTextFile(join(OLD, RUN_FILES.heartbeat)));
  assert.equal((await readHeartbeat(join(OLD, RUN_FILES.heartbeat))).epoch, rawBeat.epoch + 1);
});

Deno.test("markRunFormat() upgrades a format-1 run in place once, and it reads the same after", async () => {
  await tempCopy(async (dir) => {
    const before = await readRunFiles(dir);
    await Promise.all([markRunFormat(dir), markRunFormat(dir)]); // concurrent writers upgrade once
    assert.equal(await readRunFormat(dir), RUN_FORMAT);
    const after = await readRunFiles(dir);
    assert.deepEqual(after.history, before.history);
    assert.deepEqual(after.gradients, before.gradients);
    assert.deepEqual(after.tables, before.tables);
    assert.deepEqual(after.summary, before.summary);
    assert.equal((await rawEpochs(join(dir, RUN_FILES.history)))[0], 1);
    await markRunFormat(dir);
    assert.equal((await rawEpochs(join(dir, RUN_FILES.history)))[0], 1);
  });
});

Deno.test("writeHistory() on a format-1 run converts its other files first, so none mixes numberings", async () => {
  await tempCopy(async (dir) => {
    const old = await readHistory(join(dir, RUN_FILES.history));
    await writeRecordedTable(dir, "extra", [{ epoch: 1, x: 2 }]);
    assert.deepEqual(await readHistory(join(dir, RUN_FILES.history)), old);
    assert.deepEqual(await readRecordedTable(join(dir, "extra.csv")), [{ epoch: 1, x: 2 }]);
    await writeHistory(dir, old.slice(0, 1));
    assert.deepEqual(await readHistory(join(dir, RUN_FILES.history)), old.slice(0, 1));
    assert.equal((await readSummary(join(dir, RUN_FILES.summary))).best_epoch, 4);
  });
});

Deno.test("readRunFormat() refuses a format it does not know, naming the file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(join(dir, RUN_FILES.format), '{"format": "skiplab-run/9"}');
    await assert.rejects(() => readRunFormat(dir), SyntaxError, "format.json': 'format' must be");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
