/**
 * A fresh clone's first `deno task …`: no warning boxes (npm build scripts
 * that were ignored) and, for a user's mistake, one error line without a
 * stack trace.
 * @module
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const STACK = /^\s+at /m;

async function run(cmd: string, args: string[], cwd: string) {
  const out = await new Deno.Command(cmd, {
    args,
    cwd,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  })
    .output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

Deno.test({
  name: "a fresh clone's first deno task prints no warning box, and mistakes no stack trace",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const tmp = await Deno.makeTempDir({ prefix: "skiplab-clone-" });
    try {
      const clone = await run("git", ["clone", "--quiet", ROOT, `${tmp}/skiplab`], tmp);
      assert.equal(clone.code, 0, clone.stderr);
      const dir = `${tmp}/skiplab`;
      // The first task installs node_modules: this is where npm warnings would show.
      const first = await run(Deno.execPath(), ["task", "models"], dir);
      assert.equal(first.code, 0, first.stderr);
      assert.match(first.stdout, /resnet18/);
      assert.doesNotMatch(first.stderr, /Warning|╭|build scripts/i, first.stderr);
      for (
        const args of [
          ["train", "resnt18"],
          ["train", "resnet18", "--epoch", "3"],
          ["evaluate", "runs/none"],
          ["predict", "runs/none", "cat.png"],
          ["export", "runs/none", "--out", "web"],
          ["report", "runs/none"],
          ["train", "resnet18", "--backend", "gpu"],
        ]
      ) {
        const r = await run(Deno.execPath(), ["task", ...args], dir);
        const said = `deno task ${args.join(" ")}: ${r.stderr}`;
        assert.equal(r.code, 2, said);
        assert.match(r.stderr, /^error: /m, said);
        assert.doesNotMatch(r.stderr, STACK, said);
        assert.doesNotMatch(r.stderr, /Warning|╭/, said);
      }
    } finally {
      await Deno.remove(tmp, { recursive: true });
    }
  },
});
