import assert from "node:assert/strict";
import { join } from "node:path";
import { commandPermissions } from "../../../tasks/launch.ts";
import { ENV_VARS } from "../../../tasks/permissions.ts";

const root = new URL("../../../", import.meta.url).pathname.replace(/\/$/, "");
const where = { root: "/p", cwd: "/p", cacheDir: "/home/u/.cache/skiplab" };

Deno.test("commandPermissions() lets backends load oneDNN, read the CPU and read and write the cache: no network, no other writes", async () => {
  const p = await commandPermissions(["backends", "resnet18", "--batch", "32"], where);
  assert.deepEqual(p.write, ["/home/u/.cache/skiplab"]);
  assert.deepEqual(p.read, ["/p", "/home/u/.cache/skiplab", "/proc/cpuinfo"]);
  assert.deepEqual([p.net, p.run, p.sys, p.ffi], [[], [], ["cpus"], true]);
  assert.deepEqual(p.env, ENV_VARS);
});

async function task(args: string[], cache: string): Promise<{ out: string; err: string }> {
  const r = await new Deno.Command("deno", {
    args: ["task", "-q", ...args],
    cwd: root,
    env: { SKIPLAB_DATA: cache },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const out = new TextDecoder().decode(r.stdout), err = new TextDecoder().decode(r.stderr);
  assert.equal(r.code, 0, `${args.join(" ")}:\n${out}\n${err}`);
  return { out, err };
}

Deno.test("deno task backends lists every backend with its library, device and rates, and a run after it decides from the cache", async () => {
  const tmp = await Deno.makeTempDir();
  try {
    const cache = join(tmp, "cache");
    const { out } = await task(
      ["backends", "baseline_cnn", "--batch", "8", "--width", "0.25"],
      cache,
    );
    assert.match(out, /^baseline_cnn at batch 8, width 0.25, precision fp32:$/m);
    for (const name of ["native", "tensorflow", "webgpu", "wasm", "cpu"]) {
      assert.match(out, new RegExp(`^[* ] ${name}\\s`, "m"), name);
    }
    // Measured where it loads: wasm and cpu always do.
    for (const name of ["wasm", "cpu"]) {
      assert.match(
        out,
        new RegExp(`^[* ] ${name}\\s+tfjs-\\S+ 4\\.22\\.0.*?\\s[\\d.]+\\s+[\\d.]+`, "m"),
      );
    }
    assert.match(out, /^ {2}tensorflow\s+-\s+-\s+-\s+-\s+not available \(below/m);
    assert.match(out, /tensorflow: The tensorflow backend needs[^]*CUDA 11\.2 and cuDNN 8\.1/);
    const picked = /^auto picks (\w+) /m.exec(out)?.[1];
    assert.ok(picked && picked !== "webgpu" && picked !== "tensorflow", out);
    assert.match(out, new RegExp(`^\\* ${picked}\\s`, "m"));

    const run = await task([
      "train",
      "baseline_cnn",
      "--data",
      "synthetic",
      "--limit",
      "32",
      "--epochs",
      "1",
      "--width",
      "0.25",
      "--batch-size",
      "8",
      "--precision",
      "fp32",
      "--out",
      join(tmp, "runs"),
    ], cache);
    assert.match(run.err, /backend: auto, as measured .* \(cached;/);
    assert.match(
      run.err,
      new RegExp(`backend: ${picked}: fastest for baseline_cnn at batch 8 here`),
    );
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
