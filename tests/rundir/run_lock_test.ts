import assert from "node:assert/strict";
import {
  holdRunDir,
  hostName,
  isRunLock,
  lockRunDir,
  newRunDir,
  RUN_LOCK,
  RunLockedError,
} from "../../rundir/mod.ts";

const LOCK_MODULE = new URL("../../rundir/run_lock.ts", import.meta.url).href;

/** A process that takes the lock of `dir`, prints "held", and keeps it until killed. */
async function holder(dir: string): Promise<Deno.ChildProcess> {
  const code = `import { holdRunDir } from "${LOCK_MODULE}";
await holdRunDir(${JSON.stringify(dir)}, "test holder");
console.log("held");
setInterval(() => {}, 1000);`;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["eval", "--ext=ts", code],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const { value } = await reader.read();
  assert.match(value ?? "", /held/);
  reader.releaseLock();
  child.stdout.cancel().catch(() => {});
  return child;
}

Deno.test("holdRunDir() refuses a second writer, naming the holder's process and host", async () => {
  const dir = await Deno.makeTempDir();
  const child = await holder(dir);
  try {
    const err = await holdRunDir(dir, "train").then(() => undefined, (e) => e);
    assert.ok(err instanceof RunLockedError, String(err));
    assert.match(err.message, new RegExp(`process ${child.pid} on host ${hostName()}`));
    assert.match(err.message, /test holder/);
  } finally {
    child.kill("SIGKILL");
    await child.status;
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("lockRunDir() takes over at once the lock of a holder on this host that was killed", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const child = await holder(dir);
    child.kill("SIGKILL");
    await child.status;
    const before = JSON.parse(await Deno.readTextFile(`${dir}/${RUN_LOCK}`));
    assert.equal(before.pid, child.pid, "the killed holder's lock file is still there");
    const lock = await holdRunDir(dir, "train --resume");
    const after = JSON.parse(await Deno.readTextFile(`${dir}/${RUN_LOCK}`));
    assert.equal(after.pid, Deno.pid);
    await lock.release();
    assert.ok(!await Deno.stat(`${dir}/${RUN_LOCK}`).then(() => true, () => false));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("lockRunDir() respects another host's lock while it is refreshed, and takes it over once stale", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const other = { pid: 4242, host: "elsewhere", what: "train", since: "x", token: "t" };
    await Deno.writeTextFile(`${dir}/${RUN_LOCK}`, JSON.stringify(other));
    const r = await lockRunDir(dir, "train", { staleMs: 60_000 });
    assert.ok(!isRunLock(r));
    assert.equal(r.host, "elsewhere");
    assert.equal(r.pid, 4242);
    const old = new Date(Date.now() - 120_000);
    await Deno.utime(`${dir}/${RUN_LOCK}`, old, old);
    const lock = await lockRunDir(dir, "train", { staleMs: 60_000 });
    assert.ok(isRunLock(lock), "a lock unrefreshed for longer than staleMs is taken over");
    await lock.release();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("lockRunDir() is re-entrant in one process and shared with a child handed its token", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const outer = await holdRunDir(dir, "train");
    const inner = await holdRunDir(dir, "train --resume");
    await inner.release();
    assert.ok(await Deno.stat(`${dir}/${RUN_LOCK}`), "the outer holder still holds it");
    const child = async (inherit: string | undefined) => {
      const options = JSON.stringify(inherit === undefined ? {} : { inherit });
      const code = `import { lockRunDir, isRunLock } from "${LOCK_MODULE}";
console.log(isRunLock(await lockRunDir(${JSON.stringify(dir)}, "child", ${options})));`;
      const out = await new Deno.Command(Deno.execPath(), { args: ["eval", "--ext=ts", code] })
        .output();
      return new TextDecoder().decode(out.stdout).trim();
    };
    assert.equal(await child(outer.token), "true", "a child handed the token writes");
    assert.equal(await child(undefined), "false", "any other process is refused");
    assert.equal(await child("another-token"), "false");
    await outer.release();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("newRunDir() gives runs started in the same second with one name distinct folders", async () => {
  const out = await Deno.makeTempDir();
  try {
    const at = new Date("2026-12-07T03:27:21Z");
    const dirs = await Promise.all([1, 2, 3].map(() => newRunDir(out, "same", at)));
    assert.equal(new Set(dirs).size, 3, dirs.join(" "));
    assert.ok(dirs.includes(`${out}/20261207-032721-same`));
    assert.ok(dirs.includes(`${out}/20261207-032721-same-2`));
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
