import assert from "node:assert/strict";
import { commandPermissions } from "../../tasks/launch.ts";
import { ENV_VARS, permissionFlags } from "../../tasks/permissions.ts";

/** Equal as sets: the order of granted paths does not matter. */
const sameSet = (a: readonly string[], b: readonly string[]) =>
  assert.deepEqual([...a].sort(), [...b].sort());

const where = { root: "/p", cwd: "/p", cacheDir: "/home/u/.cache/skiplab" };

Deno.test("commandPermissions() lets train write only its output folder and the cache", async () => {
  const p = await commandPermissions(["train", "resnet18", "--epochs", "3", "--width=0.25"], where);
  sameSet(p.write, ["/p/runs", "/home/u/.cache/skiplab"]);
  sameSet(p.read, ["/p", "/home/u/.cache/skiplab", "/proc/cpuinfo", "/p/runs"]);
  assert.deepEqual(p.net, ["www.cs.toronto.edu"]);
  assert.deepEqual(p.run, []);
  assert.equal(p.ffi, true);
  assert.deepEqual(p.env, ENV_VARS);
});

Deno.test("commandPermissions() follows --out, --resume, --data and --plugin paths", async () => {
  const p = await commandPermissions([
    "train",
    "exp/mine.yaml",
    "--out=/tmp/o",
    "--data",
    "../c.tar.gz",
    "--plugin",
    "./probe.ts",
  ], where);
  sameSet(p.write, ["/tmp/o", "/home/u/.cache/skiplab"]);
  for (const r of ["/p/exp", "/c.tar.gz", "/p/probe.ts", "/tmp/o"]) {
    assert.ok(p.read.includes(r), `${r} readable in ${p.read}`);
  }
  const resumed = await commandPermissions(["train", "--resume", "runs/x", "--epochs", "9"], where);
  sameSet(resumed.write, ["/p/runs", "/home/u/.cache/skiplab", "/p/runs/x"]);
});

Deno.test("commandPermissions() adds the host of a --data URL, and nothing for a name", async () => {
  const url = await commandPermissions(
    ["train", "x", "--data", "https://mirror.example:8443/c.tgz"],
    where,
  );
  assert.deepEqual(url.net, ["www.cs.toronto.edu", "mirror.example:8443"]);
  const named = await commandPermissions(["train", "x", "--data", "synthetic"], where);
  assert.ok(!named.read.includes("/p/synthetic"));
});

Deno.test("commandPermissions() gives report its folder, compare and models no writes", async () => {
  sameSet((await commandPermissions(["report", "runs/a"], where)).write, ["/p/runs/a"]);
  const compare = await commandPermissions(["compare", "runs/a", "/elsewhere/b"], where);
  sameSet(compare.write, []);
  assert.ok(compare.read.includes("/elsewhere/b"));
  const models = await commandPermissions(["models"], where);
  assert.deepEqual([models.write, models.net, models.ffi], [[], [], false]);
});

Deno.test("commandPermissions() lets only bench start programs", async () => {
  const bench = await commandPermissions(["bench", "train", "--peer"], where);
  // The PyTorch peer, sh for /proc/self, and Deno for each measurement's own process.
  assert.deepEqual(bench.run, ["/usr/bin/python3", "python3", "sh", Deno.execPath()]);
  // The CPU load the native backend's threads follow; the host a run directory's lock names.
  assert.deepEqual(bench.sys, ["cpus", "hostname"]);
  sameSet(bench.write, ["/p/bench/results", "/home/u/.cache/skiplab"]);
  for (const c of ["train", "suite", "report", "compare", "models"]) {
    assert.deepEqual((await commandPermissions([c], where)).run, [], c);
  }
});

Deno.test("permissionFlags() refuses a path that a permission flag cannot carry", async () => {
  const p = await commandPermissions(["train", "x", "--out", "a,b"], where);
  assert.throws(
    () => permissionFlags(p),
    { name: "RangeError", message: /Cannot scope permissions to '\/p\/a,b'/ },
  );
});

Deno.test("permissionFlags() grants exactly the listed permissions, never prompting, importing nothing remote", async () => {
  const flags = permissionFlags(await commandPermissions(["compare", "runs/a"], where));
  assert.deepEqual(flags, [
    "--no-prompt",
    "--allow-import=127.0.0.1:0",
    "--allow-read=/p,/p/runs/a",
    `--allow-env=${ENV_VARS.join(",")}`,
  ]);
});

Deno.test("commandPermissions() lets evaluate write only the run's evaluations/ and the cache", async () => {
  const p = await commandPermissions(["evaluate", "runs/a", "--checkpoint", "last"], where);
  sameSet(p.write, ["/p/runs/a/evaluations", "/home/u/.cache/skiplab"]);
  assert.ok(p.read.includes("/p/runs/a"));
  assert.deepEqual([p.ffi, p.net], [true, ["www.cs.toronto.edu"]]);
});

Deno.test("commandPermissions() lets predict read its images, with or without a folder, and write nothing", async () => {
  const p = await commandPermissions(
    ["predict", "/r/run", "cat.png", "../dog.jpg", "--top", "2"],
    where,
  );
  sameSet(p.write, []);
  assert.deepEqual(p.net, []);
  for (const r of ["/r/run", "/p/cat.png", "/dog.jpg"]) assert.ok(p.read.includes(r), r);
});

Deno.test("commandPermissions() lets export write only its --out folder", async () => {
  const p = await commandPermissions(["export", "runs/a", "--out", "web"], where);
  sameSet(p.write, ["/p/web"]);
  assert.deepEqual([p.ffi, p.net], [false, []]);
});

Deno.test("commandPermissions() lets evaluate and train --resume read the data and plugins a run's config.yaml names", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/config.yaml`,
      "data:\n  source: /data/c.tar.gz\nplugins:\n  - path: /lab/probe.ts\n",
    );
    const p = await commandPermissions(["evaluate", dir], where);
    assert.ok(p.read.includes("/data/c.tar.gz"), `${p.read}`);
    const other = await commandPermissions(["evaluate", dir, "--data", "synthetic"], where);
    assert.ok(!other.read.includes("/data/c.tar.gz"));
    const resume = await commandPermissions(["train", "--resume", dir, "--epochs", "3"], where);
    for (const r of [dir, "/data/c.tar.gz", "/lab/probe.ts"]) assert.ok(resume.read.includes(r), r);
    assert.ok(resume.write.includes(dir));
    await Deno.writeTextFile(
      `${dir}/config.yaml`,
      "data:\n  source: https://mirror.example/c.tgz\n",
    );
    const url = await commandPermissions(["evaluate", dir], where);
    assert.deepEqual(url.net, ["www.cs.toronto.edu", "mirror.example"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
