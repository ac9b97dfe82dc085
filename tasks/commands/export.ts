/**
 * `deno task export RUN --out DIR`: a run's checkpoint as tfjs's LayersModel
 * format plus skiplab.json, for `tf.loadLayersModel` in a web page or Node.
 * @module
 */
import { resolve } from "node:path";
import { selectBackend } from "../../backends/mod.ts";
import { exportModel, loadRun } from "../../inference/mod.ts";
import { ConfigError } from "../../experiment/config_error.ts";
import { defineCommand } from "../command.ts";
import { grant, NONE } from "../permissions.ts";

/** `deno task export`. */
export const exportCommand = defineCommand({
  name: "export",
  summary: "Write a run's model as a tfjs LayersModel that stock tfjs loads in a web page",
  usage: ["RUN --out DIR [--checkpoint best|last]"],
  details: "Writes model.json and weight shards (loadable by stock tfjs with tf.loadLayersModel) " +
    "and skiplab.json\n(class names; input shape; a pixel byte x becomes (x/255 - mean)/std, RGB). " +
    "DIR must be new,\nempty, or an earlier export.",
  flags: {
    out: { type: "string", value: "DIR", help: "where to write (required)" },
    checkpoint: {
      type: "string",
      value: "SLOT",
      default: "best",
      help: "best|last: which weights",
    },
  },
  permissions: ({ values, positionals }, where) => {
    const out = values.out === undefined ? [] : [resolve(where.cwd, values.out)];
    return grant(NONE, {
      read: [where.root, ...positionals.map((p) => resolve(where.cwd, p)), ...out],
      write: out,
    });
  },
  run: (args) => exportRun(args.values, args.positionals),
});

async function exportRun(
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
