/**
 * The work of `deno task export`, loaded only when it runs (tasks/commands/export.ts
 * declares the command; the launcher reads only the declaration).
 * @module
 */
import { selectBackend } from "../../backends/mod.ts";
import { exportModel, loadRun } from "../../inference/mod.ts";
import { ConfigError } from "../../experiment/config_error.ts";

export async function exportRun(
  values: { out?: string; checkpoint?: string },
  positionals: readonly string[],
): Promise<number> {
  if (positionals.length !== 1 || values.out === undefined) {
    throw new ConfigError("export: give one run directory and --out DIR");
  }
  const slot = values.checkpoint ?? "best";
  if (slot !== "best" && slot !== "last") {
    throw new ConfigError(`export --checkpoint: must be 'best' or 'last', got '${slot}'`);
  }
  // A file where the folder should go: say so before loading anything (not a NotADirectory stack).
  const existing = await Deno.stat(values.out).catch(() => undefined);
  if (existing !== undefined && !existing.isDirectory) {
    throw new ConfigError(
      `export --out: '${values.out}' exists and is not a folder; give a new or existing folder`,
    );
  }
  await selectBackend("cpu"); // writing weights needs no speed
  const run = await loadRun(positionals[0], { checkpoint: slot });
  try {
    const meta = await exportModel(run.model, values.out, {
      classNames: run.classNames,
      source: { run: positionals[0], checkpoint: slot, epoch: run.state.epoch },
    });
    console.log(
      `exported ${positionals[0]} checkpoints/${slot} (after ${run.state.epoch} epochs) to ` +
        `${values.out}/: ` +
        `model.json, weights, skiplab.json (${meta.class_names.length} classes, input ${
          meta.input.shape.join("x")
        })`,
    );
    return 0;
  } finally {
    run.model.dispose();
  }
}
