/**
 * The launcher's fallback where there is no `execv` (Windows), forced on
 * Linux with SKIPLAB_LAUNCH=child: the command runs as a child with the
 * standard streams inherited, its exit status becomes the launcher's, and
 * SIGTERM reaches it, so a training saves checkpoints/last and exits 143.
 * @module
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { LAUNCHER_FLAGS } from "../../tasks/deno_tasks.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

function launcher(args: string[], env: Record<string, string> = {}): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", ...LAUNCHER_FLAGS, "tasks/launch.ts", ...args],
    cwd: ROOT,
    env: { SKIPLAB_LAUNCH: "child", NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

Deno.test("launcher (child fallback) returns the command's exit status and its error", async () => {
  const out = await launcher(["train", "baseline_cnn", "--port", "9999"]).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 2, stderr);
  assert.match(stderr, /error: train: Unknown flag '--port'/);
  assert.match(stderr, /usage: deno task train <model \| experiment\.yaml> \[flags\]/);
});

Deno.test("launcher (child fallback) forwards SIGTERM: the run saves checkpoints/last and exits 143", async () => {
  const out = await Deno.makeTempDir();
  try {
    const child = launcher([
      "train",
      "baseline_cnn",
      "--data=synthetic",
      "--limit=2048",
      "--width=0.25",
      "--epochs=200",
      `--out=${out}`,
    ]);
    const lines = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
    let seen = "";
    while (!/epoch 1\/200/.test(seen)) {
      const { value, done } = await lines.read();
      if (done) break;
      seen += value;
    }
    assert.match(seen, /epoch 1\/200/, "the run trains its first epoch");
    child.kill("SIGTERM");
    // Drain so the child never blocks on a full pipe.
    (async () => {
      while (!(await lines.read()).done) { /* drain */ }
    })();
    await child.stdout.cancel();
    const status = await child.status;
    assert.equal(status.code, 143);
    const [run] = await Array.fromAsync(Deno.readDir(out));
    const last = await Deno.stat(`${out}/${run.name}/checkpoints/last`);
    assert.ok(last.isDirectory);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
