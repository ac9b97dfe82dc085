import assert from "node:assert/strict";
import { finish, trainChild } from "./_train_child.ts";
import { runPath, STEP_CLOCK_COLUMNS, STEP_COLUMNS } from "../../rundir/mod.ts";

const FLAGS = [
  "--data",
  "synthetic",
  "--limit",
  "256",
  "--epochs",
  "3",
  "--width",
  "0.25",
  "--seed",
  "4",
];
/** The columns that a resumed run must reproduce exactly (time and memory differ). */
const EXACT = ["epoch", "loss", "acc", "val_loss", "val_acc", "lr"];

const cli = trainChild;

async function onlyRun(out: string): Promise<string> {
  const runs = [];
  for await (const e of Deno.readDir(out)) runs.push(e.name);
  assert.equal(runs.length, 1, `one run in ${out}: ${runs}`);
  return `${out}/${runs[0]}`;
}

async function table(path: string, exact: readonly string[]): Promise<string[][]> {
  const [head, ...rows] = (await Deno.readTextFile(path)).trim().split("\n")
    .map((l) => l.split(","));
  const keep = exact.map((c) => head.indexOf(c));
  return rows.map((r) => keep.map((i) => r[i]));
}
const history = (dir: string) => table(runPath(dir, "history"), EXACT);
const steps = (dir: string) =>
  table(runPath(dir, "steps"), STEP_COLUMNS.filter((c) => !STEP_CLOCK_COLUMNS.includes(c)));

Deno.test("kill -9 at several instants, each followed by --resume, ends with the history and steps.csv of an uninterrupted run", async () => {
  const base = await Deno.makeTempDir();
  try {
    const whole = await finish(cli(["baseline_cnn", ...FLAGS, "--out", `${base}/whole`]));
    assert.equal(whole.code, 0, whole.stderr);
    const expected = await history(await onlyRun(`${base}/whole`));
    const expectedSteps = await steps(await onlyRun(`${base}/whole`));
    assert.ok(expectedSteps.length >= 3 * 4, `steps.csv rows: ${expectedSteps.length}`);

    // Kill the first attempt early (before any checkpoint, or just after), then later resumes.
    let child = cli(["baseline_cnn", ...FLAGS, "--out", `${base}/cut`]);
    const kills = [2500, 4000, 5500, 3000];
    let dir: string | undefined;
    let finished = false;
    for (const [i, ms] of kills.entries()) {
      const timer = setTimeout(() => child.kill("SIGKILL"), ms + Math.random() * 1500);
      const r = await finish(child);
      clearTimeout(timer);
      dir ??= await onlyRun(`${base}/cut`);
      finished = r.code === 0; // it finished before the kill
      if (finished) break;
      assert.equal(r.code, 137, `attempt ${i}: ${r.stderr}`);
      child = cli(["--resume", dir]);
    }
    if (!finished) {
      const done = await finish(child); // the last resume, not killed
      assert.equal(done.code, 0, done.stderr);
    }
    assert.deepEqual(await history(dir!), expected);
    assert.deepEqual(await steps(dir!), expectedSteps);
    const summary = JSON.parse(await Deno.readTextFile(`${dir}/summary.json`));
    assert.equal(summary.epochs_run, 3);
    for await (const e of Deno.readDir(`${dir}/checkpoints`)) {
      assert.match(e.name, /^(best|last)$/, "no temporary folder is left");
    }
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});

/** Files a run writes once it has trained (rundir/layout.ts), by the instant a kill leaves. */
const AFTER_SUMMARY = ["classes.csv", "figures", "report.md"];
const AFTER_LAST_CHECKPOINT = [
  ...AFTER_SUMMARY,
  "summary.json",
  "confusion.csv",
  "gradients.csv",
  "predictions.csv",
];

async function copyRun(from: string, to: string, without: readonly string[]): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  const cp = await new Deno.Command("cp", { args: ["-a", `${from}/.`, to] }).output();
  assert.ok(cp.success);
  for (const f of without) await Deno.remove(`${to}/${f}`, { recursive: true }).catch(() => {});
}

/** summary.json without what differs between identical runs (times, the environment). */
async function numbers(dir: string): Promise<unknown> {
  const s = JSON.parse(await Deno.readTextFile(`${dir}/summary.json`));
  const { test_acc, test_loss, epochs_run, best_epoch, stopped_reason } = s;
  return { test_acc, test_loss, epochs_run, best_epoch, stopped_reason };
}

Deno.test("--resume of a run killed after its last checkpoint, or after its summary, completes it as the uninterrupted run", async () => {
  const base = await Deno.makeTempDir();
  try {
    const r = await finish(cli(["baseline_cnn", ...FLAGS, "--out", `${base}/whole`]));
    assert.equal(r.code, 0, r.stderr);
    const whole = await onlyRun(`${base}/whole`);
    for (const [instant, lost] of [["summary", AFTER_SUMMARY], ["last", AFTER_LAST_CHECKPOINT]]) {
      const dir = `${base}/${instant}`;
      await copyRun(whole, dir, lost as string[]);
      const resumed = await finish(cli(["--resume", dir]));
      assert.equal(resumed.code, 0, resumed.stderr);
      for (const f of lost) assert.ok(await Deno.stat(`${dir}/${f}`), `${instant}: ${f} written`);
      for (const f of ["gradients.csv", "confusion.csv", "classes.csv", "history.csv"]) {
        const [a, b] = [`${whole}/${f}`, `${dir}/${f}`].map((p) => Deno.readTextFile(p));
        if (f === "history.csv") assert.deepEqual(await history(dir), await history(whole));
        else assert.equal(await b, await a, `${instant}: ${f} equals the uninterrupted run's`);
      }
      assert.deepEqual(await numbers(dir), await numbers(whole));
    }
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});
