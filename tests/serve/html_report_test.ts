import assert from "node:assert/strict";
import { join } from "node:path";
import { writeHtmlReport } from "../../serve/mod.ts";
import { commandPermissions } from "../../tasks/launch.ts";
import { permissionFlags } from "../../tasks/permissions.ts";
import { HOSTILE, makeRunsFolder, SUITE_ID } from "./_runs.ts";

/** The embedded data of a saved report. */
function embedded(html: string): { api: Record<string, unknown>; start: string } {
  const m = /globalThis\.SKIPLAB_EMBEDDED = (.*);<\/script>/.exec(html);
  assert.ok(m, "the report embeds its data");
  return JSON.parse(m[1]);
}

Deno.test("writeHtmlReport() saves a folder's views in one file with nothing loaded from outside", async () => {
  const root = await makeRunsFolder();
  try {
    const out = await writeHtmlReport(root);
    assert.equal(out, join(await Deno.realPath(root), "report.html"));
    const html = await Deno.readTextFile(out);
    assert.doesNotMatch(html, /<script[^>]+src=|<link[^>]+href=/);
    // The hostile name sits in the data escaped, so it cannot close the script element.
    assert.ok(!html.includes(HOSTILE));
    const { api, start } = embedded(html);
    assert.equal(start, "#/");
    assert.equal((api["/api/runs"] as { runs: unknown[] }).runs.length, 8);
    assert.equal((api["/api/run/hostile"] as { name: string }).name, HOSTILE);
    assert.ok(`/api/suite/${SUITE_ID}` in api);
    assert.ok(`/api/run/${SUITE_ID}/resnet18` in api);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("writeHtmlReport() of one suite holds the suite and its members only", async () => {
  const root = await makeRunsFolder();
  try {
    const { api, start } = embedded(
      await Deno.readTextFile(await writeHtmlReport(join(root, SUITE_ID))),
    );
    assert.equal(start, `#/suite/${SUITE_ID}`);
    assert.deepEqual(Object.keys(api).sort(), [
      "/api/run/paper-suite/baseline_cnn",
      "/api/run/paper-suite/resnet18",
      "/api/run/paper-suite/resnet18_noskip",
      "/api/runs",
      "/api/suite/paper-suite",
    ]);
    await assert.rejects(writeHtmlReport(join(root, "missing")), /'.*missing' is not a folder/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("deno task serve may read DIR, its client files and node_modules (Vega) and listen on the bound port only", async () => {
  const where = { root: "/p", cwd: "/w", cacheDir: "/c" };
  const p = await commandPermissions(["serve", "my-runs", "--port", "9000"], where);
  assert.deepEqual(p.read, ["/w/my-runs", "/p/serve/client", "/p/node_modules"]);
  assert.deepEqual(p.net, ["127.0.0.1:9000"]);
  assert.deepEqual([p.write, p.env, p.run, p.ffi], [[], ["LOG_TOKENS", "LOG_STREAM"], [], false]);
  assert.deepEqual(permissionFlags(await commandPermissions(["serve", "--host", "::1"], where)), [
    "--no-prompt",
    // No remote imports, for any command (docs/9-development.md, trust boundaries).
    "--allow-import=127.0.0.1:0",
    "--allow-read=/w/runs,/p/serve/client,/p/node_modules",
    "--allow-net=[::1]:8080",
    "--allow-env=LOG_TOKENS,LOG_STREAM",
  ]);
  // report --html writes report.html into the folder it is given, named as it is.
  assert.deepEqual((await commandPermissions(["report", "runs", "--html"], where)).write, [
    "/w/runs",
  ]);
});
