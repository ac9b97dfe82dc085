import assert from "node:assert/strict";
import { denoTask, withCommandTasks } from "../../tasks/deno_tasks.ts";
import { COMMANDS } from "../../tasks/table.ts";

const json = JSON.parse(await Deno.readTextFile(new URL("../../deno.json", import.meta.url)));

Deno.test("deno.json's tasks are the command table's (run `deno run -A tasks/deno_tasks.ts` to update)", () => {
  assert.deepEqual(json.tasks, withCommandTasks(json.tasks));
  for (const c of COMMANDS) assert.deepEqual(json.tasks[c.name], denoTask(c), c.name);
});

Deno.test("every command's task runs the launcher with its name, and no command is declared twice", () => {
  const names = COMMANDS.map((c) => c.name);
  assert.equal(new Set(names).size, names.length);
  for (const name of names) {
    assert.match(json.tasks[name].command, new RegExp(` tasks/launch\\.ts ${name}$`));
  }
});
