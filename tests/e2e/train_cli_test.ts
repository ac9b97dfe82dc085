import assert from "node:assert/strict";
import { parse } from "yaml";
import { readRun } from "../../analysis/mod.ts";
import { readSummary } from "../../rundir/mod.ts";
import { syntheticDataset } from "../../data/mod.ts";
import { writeCifarBinary } from "../../data/write_cifar_binary.ts";
import { main } from "../../tasks/cli.ts";
import { CheckpointError } from "../../rundir/mod.ts";

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
    // One gradient row per weight layer (4 convolutions, 1 dense), depths 0–4: at init, per epoch, final.
    assert.equal(run.gradients.numRows(), 4 * 5);
    assert.deepEqual(run.gradients.array("depth"), [
      0,
      1,
      2,
      3,
      4,
      0,
      1,
      2,
      3,
      4,
      0,
      1,
      2,
      3,
      4,
      0,
      1,
      2,
      3,
      4,
    ]);
    assert.deepEqual(
      [...new Set(run.gradients.array("point") as string[])],
      ["init", "epoch", "final"],
    );
    // The task grants --allow-ffi: the true process peak is measured, never below a sample.
    assert.ok(
      summary.process_peak_rss_mb >= summary.peak_memory_mb,
      `${summary.process_peak_rss_mb}`,
    );
    assert.ok(summary.process_peak_increase_mb >= 0);
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

/** The parts of state.json and model.json the damage tests touch. */
interface DamageableJson {
  state: { epoch?: number; history: { val_loss: unknown }[] };
  weightsManifest?: unknown;
}

/** The columns of history.csv that a resumed run must reproduce (timings differ). */
const learned = async (dir: string) =>
  (await Deno.readTextFile(`${dir}/history.csv`)).trim().split("\n").map((l) =>
    l.split(",").slice(0, 6).join(",")
  );

let uninterrupted: Promise<string[]> | undefined;
/** History of the 3-epoch run without interruption, trained once for both signal tests. */
const wholeRun = () =>
  uninterrupted ??= (async () => {
    const out = await Deno.makeTempDir();
    try {
      const code = await main(["train", "baseline_cnn", ...QUICK, "--epochs", "3", "--out", out]);
      assert.equal(code, 0);
      return await learned(await only(out));
    } finally {
      await Deno.remove(out, { recursive: true });
    }
  })();

for (
  const [signal, code, said] of [["SIGINT", 130, "interrupt"], ["SIGTERM", 143, "SIGTERM"]] as const
) {
  Deno.test(`${signal} saves checkpoints/last; --resume finishes with an uninterrupted run's history`, async () => {
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
      child.kill(signal);
      for (let r = await reader.read(); !r.done; r = await reader.read()) err += r.value;
      const status = await child.status;
      assert.equal(status.code, code, err);
      assert.match(err, new RegExp(`${said}: saving checkpoints/last after this step`));
      assert.match(err, /interrupted: saved checkpoints\/last/);
      // One estimate, after the first timed steps, for the recipe's epochs (early stopping: "up to").
      const estimates = err.match(/^estimate: .*$/gm) ?? [];
      assert.equal(estimates.length, 1, err);
      assert.match(estimates[0], /^estimate: up to about .+ for 3 epochs at [\d.,]+ img\/s on \w+/);
      const dir = await only(out);
      await assert.rejects(() => Deno.stat(`${dir}/summary.json`));
      assert.equal(await main(["train", "--resume", dir]), 0);
      const summary = JSON.parse(await Deno.readTextFile(`${dir}/summary.json`));
      assert.equal(summary.epochs_run, 3);
      assert.deepEqual(await learned(dir), await wholeRun());
    });
  });
}

Deno.test("kill -9 before the first checkpoint: --resume trains the run from the start", async () => {
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
    // The model line comes after config.yaml is written and before the first step.
    const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
    let err = "";
    while (!/model: .* run: /.test(err)) {
      const { value, done } = await reader.read();
      if (done) break;
      err += value;
    }
    child.kill("SIGKILL");
    await reader.cancel();
    await child.status;
    const dir = await only(out);
    await assert.rejects(() => Deno.stat(`${dir}/checkpoints/last`), Deno.errors.NotFound, err);
    assert.equal(await main(["train", "--resume", dir]), 0);
    assert.deepEqual(await learned(dir), await wholeRun());
  });
});

Deno.test("deno task train --print-config exits non-zero on an invalid experiment, naming file:line:col", async () => {
  await tempDir(async (dir) => {
    const recipe = `${Deno.cwd()}/experiment/builtin/paper-recipe.yaml`;
    await Deno.writeTextFile(
      `${dir}/bad_option.yaml`,
      `extends: ${recipe}\nname: x\nplugins:\n  - name: callbacks/early-stopping\n` +
        `    options: { patience: "seven" }\n`,
    );
    await Deno.writeTextFile(
      `${dir}/bad_model.yaml`,
      `extends: ${recipe}\nname: x\nmodel: resnet19\n`,
    );
    const cli = (...args: string[]) =>
      new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "tasks/cli.ts", "train", ...args, "--print-config"],
        stdout: "piped",
        stderr: "piped",
      }).output();
    const [option, model, name] = await Promise.all([
      cli(`${dir}/bad_option.yaml`),
      cli(`${dir}/bad_model.yaml`),
      cli("resnt18"),
    ]);
    const text = (b: Uint8Array) => new TextDecoder().decode(b);
    for (const r of [option, model, name]) {
      assert.equal(r.code, 2, text(r.stderr));
      assert.equal(text(r.stdout), "", "nothing printed");
    }
    assert.match(
      text(option.stderr),
      /bad_option\.yaml:5:16: plugins\[0\]\.options\.patience: .*expected number.*"seven"/,
    );
    assert.match(
      text(model.stderr),
      /bad_model\.yaml:3:1: model: Unknown model 'resnet19'\. Did you mean 'resnet18'/,
    );
    assert.match(text(name.stderr), /train resnt18: model: Unknown model 'resnt18'\. Did you mean/);
  });
});

Deno.test("deno task train --resume refuses changes, checks the checkpoint before any data, extends with --epochs", async (t) => {
  await tempDir(async (tmp) => {
    // A run on CIFAR-layout files, so that removing them shows whether data was read.
    const data = `${tmp}/cifar`;
    await writeCifarBinary(syntheticDataset({ seed: 1, train: 192, val: 64, test: 64 }), data);
    await Deno.writeTextFile(
      `${tmp}/tiny.yaml`,
      `extends: ${Deno.cwd()}/experiment/builtin/paper-recipe.yaml\nname: tiny\n` +
        `model: baseline_cnn\nmodel_options: { width: 0.25 }\nepochs: 1\n` +
        `data: { source: ${data}, val_size: 64 }\n`,
    );
    assert.equal(await main(["train", `${tmp}/tiny.yaml`, "--out", `${tmp}/runs`]), 0);
    const dir = await only(`${tmp}/runs`);
    const resume = (...flags: string[]) => main(["train", "--resume", dir, ...flags]);

    await t.step("a flag that would change the run is refused, naming it", async () => {
      await assert.rejects(
        () => resume("--batch-size", "32"),
        /--resume .*: --batch-size \(the run's batch_size is 64\) cannot be given/,
      );
      await assert.rejects(
        () => resume("--seed", "3", "--data", "synthetic", "--epochs", "2"),
        /--data \(the run's data\.source is ".*cifar"\), --seed \(the run's seed is 0\) cannot/,
      );
    });

    await t.step("resuming a finished run again succeeds and changes nothing", async () => {
      const before = await learned(dir);
      assert.equal(await resume(), 0);
      assert.deepEqual(await learned(dir), before);
    });

    await t.step("--epochs extends a finished run", async () => {
      assert.equal(await resume("--epochs", "2"), 0);
      assert.deepEqual((await learned(dir)).map((l) => l.split(",")[0]), ["epoch", "1", "2"]);
      assert.equal(parse(await Deno.readTextFile(`${dir}/config.yaml`)).epochs, 2);
      await assert.rejects(() => resume("--epochs", "1"), /already trained 2 epochs/);
    });

    await Deno.remove(data, { recursive: true });
    const last = `${dir}/checkpoints/last`;
    const damage = async (
      file: string,
      change: (bytes: Uint8Array) => Uint8Array,
      message: RegExp,
    ) => {
      const good = await Deno.readFile(`${last}/${file}`);
      await Deno.writeFile(`${last}/${file}`, change(good));
      try {
        await assert.rejects(() => resume("--epochs", "3"), (e: Error) => {
          assert.ok(e instanceof CheckpointError, String(e));
          assert.match(e.message, message);
          return true;
        });
      } finally {
        await Deno.writeFile(`${last}/${file}`, good);
      }
    };
    const json = (edit: (doc: DamageableJson) => void) => (bytes: Uint8Array) => {
      const doc = JSON.parse(new TextDecoder().decode(bytes));
      edit(doc);
      return new TextEncoder().encode(JSON.stringify(doc));
    };

    await t.step(
      "a damaged checkpoint fails naming the file and field, before any data",
      async () => {
        await damage(
          "state.json",
          json((d) => delete d.state.epoch),
          /checkpoints\/last': state\.json: state\.epoch: missing \(expected number\)/,
        );
        await damage(
          "state.json",
          json((d) => d.state.history[1].val_loss = "low"),
          /state\.json: state\.history\[1\]\.val_loss: .*expected number, received string, got "low"/,
        );
        await damage("state.json", (b) => b.slice(0, 100), /state\.json: not valid JSON/);
        await damage(
          "model.json",
          json((d) => delete d.weightsManifest),
          /model\.json: weightsManifest: missing/,
        );
        await damage("optimizer.bin", (b) => b.slice(8), /optimizer\.bin: \d+ bytes, expected \d+/);
        // The checkpoint intact, the same command reaches the data, which is gone.
        await assert.rejects(() => resume("--epochs", "3"), (e: Error) => {
          assert.ok(!(e instanceof CheckpointError), String(e));
          assert.match(e.message, /cifar/);
          return true;
        });
      },
    );
  });
});
