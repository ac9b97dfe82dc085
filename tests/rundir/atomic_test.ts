import assert from "node:assert/strict";
import { recoverDir, replaceDirAtomic, writeFileAtomic } from "../../rundir/atomic.ts";

async function tempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const names = async (dir: string) => {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) out.push(e.name);
  return out.sort();
};

/** A folder holding file `f` with `text`. */
async function folder(path: string, text: string): Promise<void> {
  await Deno.mkdir(path, { recursive: true });
  await Deno.writeTextFile(`${path}/f`, text);
}

Deno.test("recoverDir() finishes a swap cut after the new copy was complete", async () => {
  await tempDir(async (dir) => {
    // Killed between `slot -> slot.old-1` and `slot.new-1 -> slot`.
    await folder(`${dir}/slot.old-1`, "old");
    await folder(`${dir}/slot.new-1`, "new");
    await folder(`${dir}/slot.tmp-2`, "half");
    const done = await recoverDir(`${dir}/slot`);
    assert.equal(done.length, 3, done.join("\n"));
    assert.deepEqual(await names(dir), ["slot"]);
    assert.equal(await Deno.readTextFile(`${dir}/slot/f`), "new");
  });
  await tempDir(async (dir) => {
    // Killed after `tmp -> new` but before the old copy was set aside: the new one wins.
    await folder(`${dir}/slot`, "old");
    await folder(`${dir}/slot.new-1`, "new");
    await recoverDir(`${dir}/slot`);
    assert.deepEqual(await names(dir), ["slot"]);
    assert.equal(await Deno.readTextFile(`${dir}/slot/f`), "new");
  });
});

Deno.test("recoverDir() keeps the old copy when the new one was never complete, and removes stale temporaries", async () => {
  await tempDir(async (dir) => {
    await folder(`${dir}/slot`, "old");
    await folder(`${dir}/slot.tmp-7`, "half");
    await folder(`${dir}/slot.old-3`, "older");
    await folder(`${dir}/other.tmp-7`, "not ours");
    await recoverDir(`${dir}/slot`);
    assert.deepEqual(await names(dir), ["other.tmp-7", "slot"]);
    assert.equal(await Deno.readTextFile(`${dir}/slot/f`), "old");
    assert.deepEqual(await recoverDir(`${dir}/slot`), [], "nothing left to do");
    assert.deepEqual(await recoverDir(`${dir}/missing/slot`), []);
  });
});

Deno.test("replaceDirAtomic() leaves the old folder whole when filling fails", async () => {
  await tempDir(async (dir) => {
    await replaceDirAtomic(`${dir}/slot`, (tmp) => Deno.writeTextFile(`${tmp}/f`, "one"));
    await assert.rejects(
      () =>
        replaceDirAtomic(`${dir}/slot`, async (tmp) => {
          await Deno.writeTextFile(`${tmp}/f`, "tw");
          throw new Error("No space left on device (os error 28)");
        }),
      new RegExp(`Cannot write '${dir}/slot': No space left`),
    );
    assert.deepEqual(await names(dir), ["slot"]);
    assert.equal(await Deno.readTextFile(`${dir}/slot/f`), "one");
    await writeFileAtomic(`${dir}/x.csv`, "a\n");
    assert.deepEqual(await names(dir), ["slot", "x.csv"]);
  });
});

Deno.test("replaceDirAtomic() survives kill -9 at any instant: recovery always finds one whole copy", async () => {
  await tempDir(async (dir) => {
    const swapper = new URL("./_swapper.ts", import.meta.url).pathname;
    let previous = -1;
    for (let round = 0; round < 12; round++) {
      const child = new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", swapper, dir],
        stdout: "null",
        stderr: "null",
      }).spawn();
      // Let it swap a few times, then kill it somewhere inside a swap.
      const start = Date.now();
      const before = await Deno.readTextFile(`${dir}/progress`).then(Number, () => -1);
      while (Date.now() - start < 5000) {
        const n = await Deno.readTextFile(`${dir}/progress`).then(Number, () => -1);
        if (n > before + 2) break;
        await new Promise((r) => setTimeout(r, 10));
      }
      await new Promise((r) => setTimeout(r, Math.random() * 40));
      child.kill("SIGKILL");
      await child.status;
      await recoverDir(`${dir}/slot`);
      const slots = (await names(dir)).filter((n) => n.startsWith("slot"));
      assert.deepEqual(slots, ["slot"], `round ${round}: only the slot is left`);
      const files = await Promise.all(
        ["a", "b", "c"].map((f) => Deno.readTextFile(`${dir}/slot/${f}`)),
      );
      const counters = files.map((t) => new Set(t.trim().split("\n")));
      assert.ok(counters.every((c) => c.size === 1), `round ${round}: a file was half-written`);
      const n = Number([...counters[0]][0]);
      assert.ok(
        counters.every((c) => c.has(String(n))),
        `round ${round}: files of two swaps mixed`,
      );
      assert.ok(n >= previous, `round ${round}: went back from ${previous} to ${n}`);
      previous = n;
    }
  });
});
