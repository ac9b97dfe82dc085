/**
 * deno.json's tasks for the commands, derived from the command table: each
 * runs the launcher (launch.ts), which grants the command exactly what its
 * parsed arguments need. `deno run -A tasks/deno_tasks.ts` rewrites them after
 * a command is added or its summary changes; tests/tasks/deno_tasks_test.ts
 * fails while deno.json and the table disagree.
 * @module
 */
import type { AnyCommand } from "./command.ts";
import { COMMANDS } from "./table.ts";

/**
 * What the launcher itself may do: read (the run directories and experiment
 * files a command names may lie anywhere), the variables that locate the data
 * cache (and npm:yaml's), FFI for `execv`, and start Deno where there is no `execv`.
 */
export const LAUNCHER_FLAGS: readonly string[] = [
  "--no-prompt",
  "--allow-read",
  "--allow-env=SKIPLAB_DATA,XDG_CACHE_HOME,HOME,USERPROFILE,LOCALAPPDATA,SKIPLAB_LAUNCH," +
  "LOG_TOKENS,LOG_STREAM",
  "--allow-ffi",
  "--allow-run",
];

/** The deno.json task of one command. */
export function denoTask(command: AnyCommand): { description: string; command: string } {
  return {
    description: `${command.summary}: deno task ${command.name} ${command.usage[0]}`.trimEnd(),
    command: ["deno run", ...LAUNCHER_FLAGS, "tasks/launch.ts", command.name].join(" "),
  };
}

/** deno.json's `tasks` with every command's task set from the table, the others kept in place. */
export function withCommandTasks(tasks: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const c of COMMANDS) out[c.name] = denoTask(c);
  for (const [name, task] of Object.entries(tasks)) {
    if (!(name in out)) out[name] = task;
  }
  return out;
}

if (import.meta.main) {
  const file = new URL("../deno.json", import.meta.url);
  const json = JSON.parse(await Deno.readTextFile(file));
  json.tasks = withCommandTasks(json.tasks);
  await Deno.writeTextFile(file, JSON.stringify(json, null, 2) + "\n");
  console.log(`wrote the tasks of ${COMMANDS.length} commands to deno.json`);
}
