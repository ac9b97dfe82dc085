/**
 * A checkpoint file changed on disk after it was saved (garbage of the right
 * length, which a size check cannot see) is refused by its content hash,
 * naming the file, by `train --resume` and by `evaluate`; and a checkpoint
 * written before hashes were recorded still loads.
 */
import assert from "node:assert/strict";

const FLAGS = ["--data", "synthetic", "--limit", "128", "--width", "0.25", "--epochs", "2"];

async function task(args: string[]): Promise<{ code: number; stderr: string }> {
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "tasks/cli.ts", ...args],
    stdout: "null",
    stderr: "piped",
  }).output();
  return { code: r.code, stderr: new TextDecoder().decode(r.stderr) };
}

async function onlyRun(out: string): Promise<string> {
  for await (const e of Deno.readDir(out)) return `${out}/${e.name}`;
  throw new Error(`no run in ${out}`);
}

Deno.test("train --resume and evaluate refuse a weights file overwritten with garbage of its length, naming it", async () => {
  const out = await Deno.makeTempDir();
  try {
    // A finished run resumes only to extend it: --epochs 3 makes it read checkpoints/last.
    const trained = await task(["train", "baseline_cnn", ...FLAGS, "--out", out]);
    assert.equal(trained.code, 0, trained.stderr);
    const dir = await onlyRun(out);
    for (const slot of ["best", "last"]) {
      const file = `${dir}/checkpoints/${slot}/weights.bin`;
      const size = (await Deno.stat(file)).size;
      const garbage = new Uint8Array(size).map((_, i) => (i * 131 + 7) & 255);
      await Deno.writeFile(file, garbage);
    }
    const resumed = await task(["train", "--resume", dir, "--epochs", "3"]);
    const evaluated = await task(["evaluate", dir]);
    for (const [what, r] of [["resume", resumed], ["evaluate", evaluated]] as const) {
      assert.equal(r.code, 2, `${what}: ${r.stderr}`);
      assert.match(
        r.stderr,
        /^error: Cannot (resume from|load) '[^']*checkpoints\/(best|last)': weights\.bin: damaged/m,
        what,
      );
      assert.doesNotMatch(r.stderr, /ZodError|\n\s+at /, `${what}: one line, no stack`);
    }
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("train --resume continues a checkpoint written before content hashes were recorded", async () => {
  const out = await Deno.makeTempDir();
  try {
    const trained = await task(["train", "baseline_cnn", ...FLAGS, "--out", out]);
    assert.equal(trained.code, 0, trained.stderr);
    const dir = await onlyRun(out);
    const state = `${dir}/checkpoints/last/state.json`;
    const { hashes, ...older } = JSON.parse(await Deno.readTextFile(state));
    assert.ok(hashes["weights.bin"], "a new checkpoint records its files' hashes");
    await Deno.writeTextFile(state, JSON.stringify(older));
    const resumed = await task(["train", "--resume", dir, "--epochs", "3"]);
    assert.equal(resumed.code, 0, resumed.stderr);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
