import assert from "node:assert/strict";
import { join } from "node:path";
import { readSuite, suiteRuns, writeSuite } from "../../rundir/mod.ts";

Deno.test("writeSuite() and suiteRuns() round-trip each member's directory, setting and seed", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const member = (seed: number) => ({
      dir: `resnet18-seed${seed}`,
      file: "/x/resnet18.yaml",
      setting: "resnet18",
      seed,
      overrides: { seed },
    });
    await writeSuite(dir, { name: "s", members: [member(0), member(1)], overrides: { epochs: 1 } });
    assert.deepEqual((await readSuite(dir)).members, [member(0), member(1)]);
    assert.deepEqual(await suiteRuns(dir), [
      { dir: join(dir, "resnet18-seed0"), setting: "resnet18", seed: 0 },
      { dir: join(dir, "resnet18-seed1"), setting: "resnet18", seed: 1 },
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readSuite() reads a suite.json of bare directory names with its files apart", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      join(dir, "suite.json"),
      JSON.stringify({ name: "old", members: ["a", "b"], files: ["/x/a.yaml", "/x/b.yaml"] }),
    );
    assert.deepEqual((await readSuite(dir)).members, [
      { dir: "a", file: "/x/a.yaml" },
      { dir: "b", file: "/x/b.yaml" },
    ]);
    await Deno.writeTextFile(join(dir, "suite.json"), JSON.stringify({ members: [{ seed: 1 }] }));
    await assert.rejects(() => readSuite(dir), SyntaxError, "'members' must be a non-empty array");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
