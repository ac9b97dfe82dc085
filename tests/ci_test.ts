/**
 * CI checks what the README says it checks: `.ci/run` runs the README's test
 * command, and that command formats, lints, type-checks and tests, as the
 * development guide (docs/9-development.md) says.
 * @module
 */
import assert from "node:assert/strict";

const root = new URL("../", import.meta.url);
const readme = await Deno.readTextFile(new URL("README.md", root));
const development = await Deno.readTextFile(new URL("docs/9-development.md", root));
const ci = await Deno.readTextFile(new URL(".ci/run", root));
const tasks: Record<string, { command: string }> = JSON.parse(
  await Deno.readTextFile(new URL("deno.json", root)),
).tasks;

/** The `deno task NAME` a line ends its command with. */
function taskOf(line: string): string | undefined {
  return line.match(/deno task (\S+)/)?.[1];
}

Deno.test(".ci/run runs the README's test command", () => {
  const readmeTest = readme.split("```sh\n")[1].split("```")[0].trim().split("\n")[1];
  // Lines that run a task (not comments, not messages that name one).
  const ciLines = ci.split("\n").filter((l) => !/^\s*(#|echo )/.test(l) && taskOf(l));
  assert.deepEqual(ciLines.map(taskOf), [taskOf(readmeTest)], `CI's deno task lines: ${ciLines}`);
});

Deno.test("the README's test command checks formatting, lint, the API's docs, publishing and types, then runs the tests", () => {
  const name = taskOf(readme.split("```sh\n")[1].split("```")[0].trim().split("\n")[1])!;
  const steps = tasks[name].command.split("&&").map((s) => s.trim());
  // Cheapest first (publish skips its own type check: `deno check` does it), so a slip
  // fails in seconds, not after the tests.
  assert.deepEqual(steps.map((s) => s.split(" ").slice(0, 2).join(" ")), [
    "deno fmt",
    "deno lint",
    "deno doc",
    "deno publish",
    "deno check",
    "deno task",
  ]);
  assert.match(steps[0], /--check/);
  assert.equal(steps[2], "deno doc --lint mod.ts");
  assert.match(steps[3], /^deno publish --dry-run\b/);
  assert.equal(steps[5], "deno task test");
  assert.match(tasks.test.command, /^deno test /);
  assert.match(development, new RegExp(`\`deno task ${name}\` runs everything CI checks`));
});
