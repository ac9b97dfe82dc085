import assert from "node:assert/strict";
import {
  defaultLogEvery,
  readRunStart,
  readSteps,
  RUN_FILES,
  runPath,
  type RunStart,
  STEP_COLUMNS,
  writeRunStart,
  writeSteps,
} from "../../rundir/mod.ts";

const ROW = {
  step: 14,
  epoch: 1,
  loss: 2.25,
  acc: 0.125,
  lr: 0.001,
  images_per_sec: NaN,
  elapsed_s: 3.5,
};

Deno.test("writeSteps() writes the columns in order and readSteps() reads them back, NaN kept", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await writeSteps(dir, [ROW, { ...ROW, step: 28, epoch: 2, images_per_sec: 41.5 }]);
    const text = await Deno.readTextFile(runPath(dir, "steps"));
    assert.equal(text.split("\n")[0], STEP_COLUMNS.join(","));
    const rows = await readSteps(runPath(dir, "steps"));
    assert.equal(rows.length, 2);
    assert.ok(Number.isNaN(rows[0].images_per_sec));
    assert.deepEqual({ ...rows[1] }, { ...ROW, step: 28, epoch: 2, images_per_sec: 41.5 });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readSteps() names the file and the column, when a column is missing or a cell is no number", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/${RUN_FILES.steps}`;
    await Deno.writeTextFile(path, "step,epoch,loss\n1,1,2\n");
    await assert.rejects(() => readSteps(path), /steps\.csv.*missing column\(s\) acc, lr/);
    await Deno.writeTextFile(path, `${STEP_COLUMNS.join(",")}\n1,1,x,0,0,0,0\n`);
    await assert.rejects(() => readSteps(path), /row 2, column 'loss' must be a number, got 'x'/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("defaultLogEvery() gives at least 50 rows per epoch, and every step for short epochs", () => {
  assert.equal(defaultLogEvery(704), 14);
  assert.ok(704 / defaultLogEvery(704) >= 50);
  assert.equal(defaultLogEvery(3), 1);
  assert.throws(() => defaultLogEvery(0), /'stepsPerEpoch' must be an integer >= 1, got 0/);
});

Deno.test("readRunStart() reads what writeRunStart() wrote, and names a wrong field", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const start: RunStart = {
      started_at: new Date().toISOString(),
      name: "resnet18_noskip",
      model: "resnet18",
      model_built: "resnet18_noskip",
      backend: "native",
      params: 11_173_962,
      trainable_params: 11_164_362,
      depth: 18,
      family: "resnet",
      skip: false,
      seed: 0,
      epochs: 30,
      steps_per_epoch: 704,
      total_steps: 21_120,
      batch_size: 64,
      log_every: 14,
      estimate: null,
    };
    await writeRunStart(dir, start);
    assert.deepEqual(await readRunStart(runPath(dir, "start")), start);
    await Deno.writeTextFile(runPath(dir, "start"), JSON.stringify({ ...start, params: -1 }));
    await assert.rejects(() => readRunStart(runPath(dir, "start")), /run_start\.json.*'params'/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
