import assert from "node:assert/strict";

const readme = await Deno.readTextFile(new URL("../README.md", import.meta.url));

Deno.test("README starts with the two commands: train, then CI's checks", () => {
  const first = readme.split("```sh\n")[1].split("```")[0].trim().split("\n");
  assert.equal(first.length, 2);
  assert.match(
    first[0],
    /^command -v deno >\/dev\/null \|\| npm install -g deno@2; deno task train \S+/,
  );
  assert.match(
    first[1],
    /^command -v deno >\/dev\/null \|\| npm install -g deno@2; deno task ok\b/,
  );
});

Deno.test("README's custom probe is exactly examples/custom_probe.ts, which tests/plugins/load_test.ts runs", async () => {
  const file = await Deno.readTextFile(new URL("../examples/custom_probe.ts", import.meta.url));
  const block = readme.split("A complete custom probe")[1].split("```ts\n")[1].split("```")[0];
  assert.ok(file.endsWith(block), "the README block is the file after its module comment");
  assert.ok(block.split("\n").length <= 25);
});

Deno.test("README's command list is the command table: every command in order, its summary, only its flags", async () => {
  const { COMMANDS } = await import("../tasks/table.ts");
  const rows = readme.split("\n").filter((l) => l.startsWith("| `deno task "))
    .map((l) => l.slice(1, -1).split("|").map((c) => c.trim()));
  assert.deepEqual(
    rows.map(([usage]) => /^`deno task ([\w-]+)/.exec(usage)![1]),
    COMMANDS.map((c) => c.name),
  );
  for (const [[usage, summary], command] of rows.map((r, i) => [r, COMMANDS[i]] as const)) {
    assert.equal(summary.replaceAll("`", ""), command.summary, command.name);
    for (const [, flag] of usage.matchAll(/--([\w-]+)/g)) {
      assert.ok(
        flag in command.flags,
        `README shows --${flag} for ${command.name}, which does not take it`,
      );
    }
  }
});
