/**
 * The command table: every command of the command line, in the order help
 * and the README list them. Help, the launcher's permissions and deno.json's
 * tasks are derived from it (tasks/deno_tasks.ts; a test fails on drift).
 * @module
 */
import { Registry } from "../core/registry.ts";
import { UsageError } from "../core/errors.ts";
import type { AnyCommand } from "./command.ts";
import { backends } from "./commands/backends.ts";
import { bench } from "./commands/bench.ts";
import { evaluateCommand } from "./commands/evaluate.ts";
import { exportCommand } from "./commands/export.ts";
import { models } from "./commands/models.ts";
import { predictCommand } from "./commands/predict.ts";
import { compare, report } from "./commands/report.ts";
import { serve } from "./commands/serve.ts";
import { suite } from "./commands/suite.ts";
import { sweep } from "./commands/sweep.ts";
import { train } from "./commands/train.ts";
import { worker } from "./commands/worker.ts";

/** Every command, in the order help lists them. */
export const COMMANDS: readonly AnyCommand[] = [
  train,
  suite,
  sweep,
  worker,
  models,
  backends,
  bench,
  evaluateCommand,
  predictCommand,
  exportCommand,
  report,
  serve,
  compare,
];

/**
 * The command called `name`.
 * @throws {UsageError} for an unknown name, with a did-you-mean and the list.
 */
export function commandNamed(name: string): AnyCommand {
  const registry = new Registry<AnyCommand>("command");
  for (const c of COMMANDS) registry.register(c.name, c);
  try {
    return registry.get(name);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}
