/**
 * `deno task train` runs under the permissions of tasks/launch.ts: a plugin
 * loaded into a real training run may write its run folder and the data
 * cache, and nothing else; network, programs and other environment
 * variables are refused.
 * @module
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** On Deno's default list of hosts a module may be imported from. */
const REMOTE = "https://raw.githubusercontent.com/denoland/std/main/version.ts?d=secret";

/** A plugin that tries each access in `setup` and writes what happened into its run folder. */
function escapePlugin(outside: string, cache: string): string {
  return `
const REMOTE = ${JSON.stringify(REMOTE)};
const attempts = {
  "write outside": () => Deno.writeTextFile(${JSON.stringify(outside)}, "escaped"),
  "write project": () => Deno.writeTextFile(${JSON.stringify(`${ROOT}escaped.txt`)}, "escaped"),
  "write cache": () => Deno.writeTextFile(${JSON.stringify(`${cache}/probe.txt`)}, "ok"),
  "read /etc/hostname": () => Deno.readTextFile("/etc/hostname"),
  "net loopback": () => Deno.connect({ hostname: "127.0.0.1", port: 9 }),
  "run a program": () => new Deno.Command("true").output(),
  "env PATH": () => Deno.env.get("PATH"),
  "dlopen libc": () => Deno.dlopen("libc.so.6", { getpid: { parameters: [], result: "i32" } }),
  "remote import": () => import(REMOTE),
};
export default {
  name: "escape",
  schema: { parse: (v) => v ?? {}, safeParse: (v) => ({ success: true, data: v ?? {} }) },
  create: () => ({
    name: "escape",
    async setup(ctx) {
      const outcome = {};
      for (const [what, attempt] of Object.entries(attempts)) {
        try {
          await attempt();
          outcome[what] = "allowed";
        } catch (e) {
          outcome[what] = e.name;
        }
      }
      await Deno.writeTextFile(ctx.runDir + "/attempts.json", JSON.stringify(outcome));
    },
  }),
};
`;
}

Deno.test("deno task train cannot write outside its output and cache folders", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "skiplab-perm-" });
  try {
    const out = `${tmp}/out`, cache = `${tmp}/cache`, outside = `${tmp}/outside.txt`;
    await Deno.mkdir(cache);
    await Deno.writeTextFile(`${tmp}/escape.ts`, escapePlugin(outside, cache));
    const { code, stderr } = await new Deno.Command(Deno.execPath(), {
      args: [
        "task",
        "train",
        "baseline_cnn",
        ...["--data", "synthetic", "--limit", "128", "--epochs", "1", "--width", "0.25"],
        ...["--out", out, "--plugin", `${tmp}/escape.ts`],
      ],
      cwd: ROOT,
      env: { SKIPLAB_DATA: cache },
      stdout: "null",
      stderr: "piped",
    }).output();
    const err = new TextDecoder().decode(stderr);
    assert.equal(code, 0, err);
    const [run] = [...Deno.readDirSync(out)].map((e) => `${out}/${e.name}`);
    assert.deepEqual(JSON.parse(await Deno.readTextFile(`${run}/attempts.json`)), {
      "write outside": "NotCapable",
      "write project": "NotCapable",
      "write cache": "allowed",
      "read /etc/hostname": "NotCapable",
      "net loopback": "NotCapable",
      "run a program": "NotCapable",
      "env PATH": "NotCapable",
      "dlopen libc": "NotCapable",
      // Deno refuses an import outside --allow-import with a TypeError, before any connection.
      "remote import": "TypeError",
    });
    await assert.rejects(() => Deno.stat(outside), Deno.errors.NotFound);
    await assert.rejects(() => Deno.stat(`${ROOT}escaped.txt`), Deno.errors.NotFound);
    assert.equal(await Deno.readTextFile(`${cache}/probe.txt`), "ok");
    assert.ok((await Deno.stat(`${run}/history.csv`)).isFile, "the run itself trained and wrote");
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("deno task train --print-config refuses a plugin's dlopen and remote import as it loads", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "skiplab-perm-" });
  try {
    // Top-level code: it runs as the plugin is imported, before the config is printed.
    await Deno.writeTextFile(
      `${tmp}/loud.ts`,
      `const seen = {};
try { Deno.dlopen("libc.so.6", { system: { parameters: ["buffer"], result: "i32" } }); seen.dlopen = "allowed"; }
catch (e) { seen.dlopen = e.name; }
try { await import(${JSON.stringify(REMOTE)}); seen.import = "allowed"; }
catch (e) { seen.import = e.message; }
console.error("ATTEMPTS " + JSON.stringify(seen));
export default {
  name: "loud",
  schema: { parse: (v) => v ?? {}, safeParse: (v) => ({ success: true, data: v ?? {} }) },
  create: () => ({ name: "loud" }),
};
`,
    );
    const { code, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["task", "train", "baseline_cnn", "--plugin", `${tmp}/loud.ts`, "--print-config"],
      cwd: ROOT,
      stdout: "null",
      stderr: "piped",
    }).output();
    const err = new TextDecoder().decode(stderr);
    assert.equal(code, 0, err);
    const seen = JSON.parse(/ATTEMPTS (.*)/.exec(err)?.[1] ?? "null");
    assert.equal(seen?.dlopen, "NotCapable", err);
    assert.match(seen?.import, /Requires import access to "raw\.githubusercontent\.com:443"/);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
