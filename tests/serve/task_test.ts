/**
 * `deno task serve` and `deno task report --html` as a user starts them:
 * under the scoped permissions of tasks/launch.ts, over a folder with a
 * run that has only started (config.yaml alone, parsed with npm:yaml).
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeConfig } from "../../rundir/mod.ts";
import { makeRunsFolder } from "./_runs.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

Deno.test("deno task serve answers under its own permissions and stops on SIGTERM", async () => {
  const root = await makeRunsFolder();
  await Deno.mkdir(join(root, "starting"));
  await writeConfig(join(root, "starting"), "name: starting\nmodel: resnet18\nepochs: 3\n");
  const child = new Deno.Command(Deno.execPath(), {
    args: ["task", "serve", root, "--port", "0"],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  try {
    const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let out = "";
    while (!/dashboard: (http\S+)/.test(out)) {
      const { value, done } = await lines.read();
      if (done) break;
      out += value;
    }
    const url = /dashboard: (http\S+)/.exec(out)?.[1];
    assert.ok(url, `no URL printed: ${out}`);
    const r = await fetch(`${url}api/runs`);
    const body = await r.json();
    assert.equal(r.status, 200, JSON.stringify(body));
    const starting = body.runs.find((x: { id: string }) => x.id === "starting");
    assert.deepEqual([starting.status, starting.model, starting.epochs], [
      "training",
      "resnet18",
      0,
    ]);
    const page = await fetch(`${url}api/run/run_resnet18`);
    assert.equal(page.status, 200);
    await page.body?.cancel();
    void lines.cancel();
  } finally {
    child.kill("SIGTERM");
    await child.status;
    await child.stderr.cancel().catch(() => {});
  }
  const report = await new Deno.Command(Deno.execPath(), {
    args: ["task", "report", join(root, "run_resnet18"), "--html"],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(report.code, 0, new TextDecoder().decode(report.stderr));
  assert.match(new TextDecoder().decode(report.stdout), /wrote .*run_resnet18\/report\.html/);
  await Deno.remove(root, { recursive: true });
});
