import assert from "node:assert/strict";
import { join } from "node:path";
import { findRunDirs, writeSuite } from "../../rundir/mod.ts";

Deno.test("findRunDirs() finds runs and suites, and no link that points out of the root", async () => {
  const outside = await Deno.makeTempDir();
  const root = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(join(outside, "config.yaml"), "name: secret\n");
    const run = async (d: string) => {
      await Deno.mkdir(join(root, d), { recursive: true });
      await Deno.writeTextFile(join(root, d, "config.yaml"), "name: x\n");
    };
    await run("a-run");
    await run("suite/m1");
    await run("nested/deeper/b-run");
    await run("a-run.tmp-123");
    const m1 = { dir: "m1", file: "m1.yaml", setting: "m1", seed: 0, overrides: {} };
    await writeSuite(join(root, "suite"), { name: "s", members: [m1], overrides: {} });
    await Deno.symlink(outside, join(root, "escape"));
    await Deno.symlink(join(root, "a-run"), join(root, "alias"));
    const found = await findRunDirs(root);
    assert.deepEqual(found.map((f) => [f.id, f.kind, f.suite ?? ""]), [
      ["a-run", "run", ""],
      ["nested/deeper/b-run", "run", ""],
      ["suite", "suite", ""],
      ["suite/m1", "run", "suite"],
    ]);
  } finally {
    await Deno.remove(root, { recursive: true });
    await Deno.remove(outside, { recursive: true });
  }
});
