import assert from "node:assert/strict";
import { commandPermissions, launchArgv } from "../../../tasks/launch.ts";
import { ALL_ENV, ENV_VARS, permissionFlags } from "../../../tasks/permissions.ts";

const where = { root: "/p", cwd: "/p", cacheDir: "/home/u/.cache/skiplab" };

Deno.test("commandPermissions() lets a local sweep write its output folder, start Deno and time its models (FFI), no network", async () => {
  const p = await commandPermissions(["sweep", "s.yaml", "--out", "out", "--workers", "2"], where);
  assert.deepEqual(p.write, ["/p/out"]);
  assert.ok(p.read.includes("/p/s.yaml") && p.read.includes("/p/out"));
  assert.deepEqual(p.run, [Deno.execPath()]);
  assert.deepEqual(p.net, []);
  assert.equal(p.ffi, true);
  assert.deepEqual(p.sys, ["cpus", "hostname"]);
  assert.deepEqual(p.env, ENV_VARS);
  const resume = await commandPermissions(["sweep", "runs/lr-sweep"], where);
  assert.deepEqual(resume.write, ["/p/runs", "/p/runs/lr-sweep"]);
});

Deno.test("commandPermissions() gives the worker its --runs folder, the queue's host and the environment", async () => {
  const p = await commandPermissions(
    ["worker", "--queue", "redis://q.lab:6380", "--runs", "/shared/runs"],
    where,
  );
  assert.deepEqual(p.write, ["/shared/runs"]);
  assert.deepEqual(p.net, ["q.lab:6380"]);
  assert.deepEqual(p.env, ALL_ENV);
  assert.ok(permissionFlags(p).includes("--allow-env"));
  assert.deepEqual(p.sys, ["hostname"]);
  const queued = await commandPermissions(["sweep", "s.yaml", "--queue=redis://q.lab:6380"], where);
  assert.deepEqual([queued.net, queued.env, queued.ffi], [["q.lab:6380"], ALL_ENV, false]);
});

Deno.test("launchArgv() runs a sweep member as train --resume, with its data and plugin files readable", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/config.yaml`,
      "data:\n  source: /data/cifar-10-binary.tar.gz\nplugins:\n  - path: /lab/probe.ts\n  - name: x\n",
    );
    const argv = await launchArgv(["train", "--resume", dir], where);
    assert.equal(argv[0], Deno.execPath());
    assert.deepEqual(argv.slice(-3), ["train", "--resume", dir]);
    const read = argv.find((a) => a.startsWith("--allow-read="))!.split("=")[1].split(",");
    assert.ok(read.includes(dir));
    assert.ok(read.includes("/data/cifar-10-binary.tar.gz"));
    assert.ok(read.includes("/lab/probe.ts"));
    const write = argv.find((a) => a.startsWith("--allow-write="))!.split("=")[1].split(",");
    assert.ok(write.includes(dir));
    assert.ok(!argv.includes("--allow-all") && !argv.includes("-A"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
