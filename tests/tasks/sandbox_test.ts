import assert from "node:assert/strict";
import { commandPermissions, ENV_VARS, permissionFlags } from "../../tasks/sandbox.ts";

const where = { root: "/p", cwd: "/p", cacheDir: "/home/u/.cache/skiplab" };

Deno.test("commandPermissions() lets train write only its output folder and the cache", () => {
  const p = commandPermissions(["train", "resnet18", "--epochs", "3", "--width=0.25"], where);
  assert.deepEqual(p.write, ["/p/runs", "/home/u/.cache/skiplab"]);
  assert.deepEqual(p.read, ["/p", "/home/u/.cache/skiplab", "/p/runs"]);
  assert.deepEqual(p.net, ["www.cs.toronto.edu"]);
  assert.deepEqual(p.run, []);
  assert.equal(p.ffi, true);
  assert.deepEqual(p.env, ENV_VARS);
});

Deno.test("commandPermissions() follows --out, --resume, --data and --plugin paths", () => {
  const p = commandPermissions([
    "train",
    "exp/mine.yaml",
    "--out=/tmp/o",
    "--data",
    "../c.tar.gz",
    "--plugin",
    "./probe.ts",
  ], where);
  assert.deepEqual(p.write, ["/tmp/o", "/home/u/.cache/skiplab"]);
  for (const r of ["/p/exp/mine.yaml", "/p/exp", "/c.tar.gz", "/p/probe.ts", "/tmp/o"]) {
    assert.ok(p.read.includes(r), `${r} readable in ${p.read}`);
  }
  const resumed = commandPermissions(["train", "--resume", "runs/x", "--epochs", "9"], where);
  assert.deepEqual(resumed.write, ["/p/runs", "/home/u/.cache/skiplab", "/p/runs/x"]);
});

Deno.test("commandPermissions() adds the host of a --data URL, and nothing for a name", () => {
  const url = commandPermissions(
    ["train", "x", "--data", "https://mirror.example:8443/c.tgz"],
    where,
  );
  assert.deepEqual(url.net, ["www.cs.toronto.edu", "mirror.example:8443"]);
  const named = commandPermissions(["train", "x", "--data", "synthetic"], where);
  assert.ok(!named.read.includes("/p/synthetic"));
});

Deno.test("commandPermissions() gives report its folder, compare and models no writes", () => {
  assert.deepEqual(commandPermissions(["report", "runs/a"], where).write, ["/p/runs/a"]);
  const compare = commandPermissions(["compare", "runs/a", "/elsewhere/b"], where);
  assert.deepEqual(compare.write, []);
  assert.ok(compare.read.includes("/elsewhere/b"));
  const models = commandPermissions(["models"], where);
  assert.deepEqual([models.write, models.net, models.ffi], [[], [], false]);
});

Deno.test("commandPermissions() lets only bench start programs", () => {
  const bench = commandPermissions(["bench", "train", "--peer"], where);
  // The PyTorch peer, sh for /proc/self, and Deno for each measurement's own process.
  assert.deepEqual(bench.run, ["/usr/bin/python3", "python3", "sh", Deno.execPath()]);
  assert.deepEqual(bench.sys, ["cpus"], "the CPU load the native backend's threads follow");
  assert.deepEqual(bench.write, ["/p/bench/results", "/home/u/.cache/skiplab"]);
  for (const c of ["train", "suite", "report", "compare", "models"]) {
    assert.deepEqual(commandPermissions([c], where).run, [], c);
  }
});

Deno.test("commandPermissions() refuses a path that a permission flag cannot carry", () => {
  assert.throws(
    () => commandPermissions(["train", "x", "--out", "a,b"], where),
    { name: "RangeError", message: /Cannot scope permissions to '\/p\/a,b'/ },
  );
});

Deno.test("permissionFlags() grants exactly the listed permissions, never prompting", () => {
  const flags = permissionFlags(commandPermissions(["compare", "runs/a"], where));
  assert.deepEqual(flags, [
    "--no-prompt",
    "--allow-read=/p,/home/u/.cache/skiplab,/p/runs/a",
    `--allow-env=${ENV_VARS.join(",")}`,
  ]);
});

Deno.test("commandPermissions() lets evaluate write only the run's evaluations/ and the cache", () => {
  const p = commandPermissions(["evaluate", "runs/a", "--checkpoint", "last"], where);
  assert.deepEqual(p.write, ["/p/runs/a/evaluations", "/home/u/.cache/skiplab"]);
  assert.ok(p.read.includes("/p/runs/a"));
  assert.deepEqual([p.ffi, p.net], [true, ["www.cs.toronto.edu"]]);
});

Deno.test("commandPermissions() lets predict read its images, with or without a folder, and write nothing", () => {
  const p = commandPermissions(["predict", "/r/run", "cat.png", "../dog.jpg", "--top", "2"], where);
  assert.deepEqual(p.write, []);
  assert.deepEqual(p.net, []);
  for (const r of ["/r/run", "/p/cat.png", "/dog.jpg"]) assert.ok(p.read.includes(r), r);
});

Deno.test("commandPermissions() lets export write only its --out folder", () => {
  const p = commandPermissions(["export", "runs/a", "--out", "web"], where);
  assert.deepEqual(p.write, ["/p/web"]);
  assert.deepEqual([p.ffi, p.net], [false, []]);
});

Deno.test("commandPermissions() lets evaluate read the data its run's config.yaml names", () => {
  const runDataSource = (dir: string) => (dir === "/p/runs/a" ? "/data/c.tar.gz" : undefined);
  const p = commandPermissions(["evaluate", "runs/a"], { ...where, runDataSource });
  assert.ok(p.read.includes("/data/c.tar.gz"), `${p.read}`);
  const other = commandPermissions(["evaluate", "runs/a", "--data", "synthetic"], {
    ...where,
    runDataSource,
  });
  assert.ok(!other.read.includes("/data/c.tar.gz"));
  const url = commandPermissions(["evaluate", "runs/a"], {
    ...where,
    runDataSource: () => "https://mirror.example/c.tgz",
  });
  assert.deepEqual(url.net, ["www.cs.toronto.edu", "mirror.example"]);
});
