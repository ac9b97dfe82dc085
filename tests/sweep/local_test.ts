/**
 * A local sweep stopped with SIGTERM in the middle of its second member, then
 * run again: the finished member is skipped, the interrupted one resumes from
 * checkpoints/last and ends with the history of an uninterrupted run.
 * @module
 */
import assert from "node:assert/strict";
import { compareRuns, renderReport } from "../../analysis/mod.ts";

const BASE = `name: base
model: baseline_cnn
model_options: { width: 0.125 }
data: { source: synthetic, limit: 384 }
epochs: 3
batch_size: 32
init: he
plugins:
  - name: callbacks/model-checkpoint
    options: { monitor: val_loss }
`;
const EXACT = ["epoch", "loss", "acc", "val_loss", "val_acc", "lr"];

function cli(args: string[]) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "tasks/cli.ts", ...args],
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const err = new Response(child.stderr).text();
  return {
    child,
    done: Promise.all([child.status, err]).then(([s, e]) => ({ code: s.code, err: e })),
  };
}

async function history(dir: string): Promise<string[][]> {
  const [head, ...rows] = (await Deno.readTextFile(`${dir}/history.csv`)).trim().split("\n")
    .map((l) => l.split(","));
  return rows.map((r) => EXACT.map((c) => r[head.indexOf(c)]));
}

const rows = (dir: string) => history(dir).then((h) => h.length, () => 0);

Deno.test("a local sweep stopped mid-member resumes exactly and skips what finished", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/base.yaml`, BASE);
    await Deno.writeTextFile(`${dir}/sweep.yaml`, "name: s\nexperiment: base.yaml\nseeds: 2\n");
    const args = ["sweep", `${dir}/sweep.yaml`, "--out", `${dir}/runs`];
    const sweep = `${dir}/runs/s`, second = `${sweep}/base_seed-1`;
    const first = cli(args);
    for (let i = 0; (await rows(second)) < 1; i++) {
      assert.ok(i < 2400, "the second member trained an epoch");
      await new Promise((r) => setTimeout(r, 50));
    }
    first.child.kill("SIGTERM");
    const stopped = await first.done;
    assert.notEqual(stopped.code, 0, stopped.err);
    assert.match(stopped.err, /\[base_seed-1\] interrupted: saved checkpoints\/last/);
    // The total before any member trains, with one model timed for both seeds.
    assert.match(stopped.err, /^sweep s: 2 runs, about .+ in all on \w+$/m);
    assert.ok((await rows(second)) < 3, "stopped before its last epoch");
    const finished = (await Deno.stat(`${sweep}/base_seed-0/summary.json`)).mtime;

    const again = await cli(args).done;
    assert.equal(again.code, 0, again.err);
    assert.match(again.err, /1 of 2 members to train/);
    assert.match(again.err, /^sweep s: 1 of 2 runs left, about .+ in all on \w+$/m);
    assert.match(again.err, /\[base_seed-1\] resuming at epoch/);
    assert.deepEqual((await Deno.stat(`${sweep}/base_seed-0/summary.json`)).mtime, finished);

    const whole = await cli(["train", `${second}/config.yaml`, "--out", `${dir}/whole`]).done;
    assert.equal(whole.code, 0, whole.err);
    const [ref] = [...Deno.readDirSync(`${dir}/whole`)].map((e) => `${dir}/whole/${e.name}`);
    assert.deepEqual(await history(second), await history(ref));

    const text = await compareRuns([sweep]);
    assert.match(text, /^Sweep .*\/runs\/s\nsetting/m);
    assert.match(text, /^base +2 +/m, "one setting, two seeds");
    assert.match(text, /Best setting \(highest mean best validation accuracy\): base/);
    assert.match(text, /Comparing 2 runs/);
    // `deno task report` re-renders a sweep from its files.
    await Deno.remove(`${sweep}/sweep.csv`);
    const report = await renderReport(sweep);
    assert.equal(report.kind, "sweep");
    assert.ok(report.files.includes(`${sweep}/sweep.csv`));
    assert.match(await Deno.readTextFile(`${sweep}/report.md`), /2 of 2 members finished/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
