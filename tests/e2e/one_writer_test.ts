/**
 * One writer per run directory, through the real `train` command: two
 * trainings with one name started together each get their own folder, and
 * `--resume` of a run another process is training is refused, naming it.
 */
import assert from "node:assert/strict";
import { finish, trainChild } from "./_train_child.ts";

const FLAGS = ["--data", "synthetic", "--limit", "128", "--width", "0.25", "--seed", "2"];

const cli = trainChild;

const exists = (p: string) => Deno.stat(p).then(() => true, () => false);

Deno.test("train twice with one --name at once: both finish, each in its own folder", async () => {
  const out = await Deno.makeTempDir();
  try {
    const args = ["baseline_cnn", ...FLAGS, "--epochs", "1", "--name", "same", "--out", out];
    const [a, b] = await Promise.all([finish(cli(args)), finish(cli(args))]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
    const dirs = [];
    for await (const e of Deno.readDir(out)) dirs.push(e.name);
    assert.equal(dirs.length, 2, dirs.join(" "));
    for (const d of dirs) {
      assert.match(d, /^\d{8}-\d{6}-same(-2)?$/);
      assert.ok(await exists(`${out}/${d}/summary.json`), `${d} finished`);
    }
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("train --resume of a run another process is training is refused, naming its process", async () => {
  const out = await Deno.makeTempDir();
  const dir = `${out}/live`;
  const live = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "tasks/cli.ts",
      "train",
      "baseline_cnn",
      ...FLAGS,
      "--epochs",
      "40",
      "--out",
      dir,
    ],
    stdout: "null",
    stderr: "null",
  }).spawn();
  try {
    let run: string | undefined;
    for (let i = 0; i < 600 && run === undefined; i++) {
      await new Promise((r) => setTimeout(r, 100));
      if (!await exists(dir)) continue;
      for await (const e of Deno.readDir(dir)) {
        if (await exists(`${dir}/${e.name}/config.yaml`)) run = `${dir}/${e.name}`;
      }
    }
    assert.ok(run, "the live run started");
    const second = await finish(cli(["--resume", run!]));
    assert.equal(second.code, 2, second.stderr);
    assert.match(second.stderr, new RegExp(`process ${live.pid} on host \\S+ \\(train`));
    assert.doesNotMatch(second.stderr, /\n\s+at /, "one line, no stack");
  } finally {
    live.kill("SIGKILL");
    await live.status;
    await Deno.remove(out, { recursive: true });
  }
});
