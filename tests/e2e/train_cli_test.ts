import assert from "node:assert/strict";
import { parse } from "yaml";
import { readRun } from "../../analysis/mod.ts";
import { readSummary } from "../../rundir/mod.ts";
import { main } from "../../tasks/cli.ts";

const QUICK = [
  "--data",
  "synthetic",
  "--limit",
  "256",
  "--epochs",
  "2",
  "--width",
  "0.25",
  "--backend",
  "auto",
];

async function tempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const only = async (dir: string) => {
  const entries = [];
  for await (const e of Deno.readDir(dir)) entries.push(e.name);
  assert.equal(entries.length, 1, `one run in ${dir}: ${entries}`);
  return `${dir}/${entries[0]}`;
};

Deno.test("deno task train baseline_cnn writes a complete run directory, custom probe included", async () => {
  await tempDir(async (out) => {
    const code = await main([
      "train",
      "baseline_cnn",
      ...QUICK,
      "--out",
      out,
      "--plugin",
      "./examples/custom_probe.ts",
    ]);
    assert.equal(code, 0);
    const dir = await only(out);
    for (
      const f of [
        "config.yaml",
        "history.csv",
        "gradients.csv",
        "timing.csv",
        "confusion.csv",
        "classes.csv",
        "summary.json",
        "report.md",
        "overfit_gap.csv",
        "checkpoints/best/model.json",
        "checkpoints/best/weights.bin",
        "checkpoints/last/state.json",
        "figures/training.svg",
      ]
    ) await Deno.stat(`${dir}/${f}`);
    const run = await readRun(dir);
    assert.equal(run.history.numRows(), 2);
    const summary = await readSummary(`${dir}/summary.json`); // validated against its schema
    assert.equal(summary.model, "baseline_cnn");
    assert.equal(summary.epochs_run, 2);
    assert.ok(summary.test_acc > 0.1 && summary.test_acc <= 1, `test_acc ${summary.test_acc}`);
    assert.ok(summary.peak_memory_mb > 0);
    // What a reader needs without guessing: the model, the recipe, the software and the machine.
    assert.deepEqual(
      [summary.architecture.family, summary.architecture.skip, summary.architecture.depth],
      ["plain_cnn", false, 5],
    );
    assert.equal(summary.architecture.widths.length, 4);
    assert.equal(summary.recipe.epochs, 2);
    assert.equal(summary.seed, 0);
    assert.equal(summary.environment.deno, Deno.version.deno);
    assert.equal(summary.environment.cpu_threads, navigator.hardwareConcurrency);
    const head = await new Deno.Command("git", { args: ["rev-parse", "HEAD"] }).output();
    if (head.success) {
      assert.equal(summary.environment.git_commit, new TextDecoder().decode(head.stdout).trim());
    }
    assert.ok(Date.parse(summary.started_at) < Date.parse(summary.ended_at));
    // One gradient row per weight layer (4 convolutions, 1 dense) per epoch, depths 0–4.
    assert.equal(run.gradients.numRows(), 2 * 5);
    assert.deepEqual(run.gradients.array("depth"), [0, 1, 2, 3, 4, 0, 1, 2, 3, 4]);
    const gaps = (await Deno.readTextFile(`${dir}/overfit_gap.csv`)).trim().split("\n");
    assert.equal(gaps[0], "epoch,acc,val_acc,gap");
    assert.equal(gaps.length, 3);
    const config = parse(await Deno.readTextFile(`${dir}/config.yaml`));
    assert.equal(config.epochs, 2);
    assert.equal(config.model_options.width, 0.25);
  });
});

Deno.test("deno task train --print-config prints the resolved experiment and trains nothing", async () => {
  const lines: string[] = [];
  const log = console.log;
  console.log = (s: string) => void lines.push(s);
  try {
    assert.equal(
      await main(["train", "resnet18", "--epochs", "3", "--lr", "0.01", "--print-config"]),
      0,
    );
  } finally {
    console.log = log;
  }
  const exp = parse(lines.join("\n"));
  assert.deepEqual([exp.model, exp.epochs, exp.optimizer.lr, exp.batch_size], [
    "resnet18",
    3,
    0.01,
    64,
  ]);
});

Deno.test("deno task train rejects unknown models and flags with a suggestion", async () => {
  await assert.rejects(() => main(["train", "resnt18"]), /Did you mean 'resnet18'/);
  await assert.rejects(
    () => main(["train", "resnet18", "--epoch", "1"]),
    /Unknown flag '--epoch'\. Did you mean '--epochs'/,
  );
  await assert.rejects(
    () => main(["train", "resnet18", "--epochs", "x"]),
    /--epochs: expected a number, got 'x'/,
  );
});

Deno.test("Ctrl-C saves checkpoints/last; --resume finishes the run with the full history", async () => {
  await tempDir(async (out) => {
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "tasks/cli.ts",
        "train",
        "baseline_cnn",
        ...QUICK,
        "--epochs",
        "3",
        "--out",
        out,
      ],
      stdout: "null",
      stderr: "piped",
    }).spawn();
    // Interrupt once the first epoch has been reported.
    const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
    let err = "";
    while (!err.includes("epoch 1/3 ")) {
      const { value, done } = await reader.read();
      if (done) break;
      err += value;
    }
    child.kill("SIGINT");
    for (let r = await reader.read(); !r.done; r = await reader.read()) err += r.value;
    const { code } = await child.status;
    assert.equal(code, 130, err);
    assert.match(err, /interrupted: saved checkpoints\/last/);
    const dir = await only(out);
    await assert.rejects(() => Deno.stat(`${dir}/summary.json`));
    assert.equal(await main(["train", "--resume", dir]), 0);
    const summary = await readSummary(`${dir}/summary.json`);
    assert.equal(summary.epochs_run, 3);
    const history = (await Deno.readTextFile(`${dir}/history.csv`)).trim().split("\n");
    assert.deepEqual(history.slice(1).map((l) => l.split(",")[0]), ["0", "1", "2"]);
  });
});
