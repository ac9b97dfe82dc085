/**
 * `deno task export RUN --out DIR`: a run's checkpoint as tfjs's LayersModel
 * format plus skiplab.json, for `tf.loadLayersModel` in a web page or Node.
 * @module
 */
import { parseArgs } from "node:util";
import { selectBackend } from "../backends/mod.ts";
import { exportModel, loadRun } from "../inference/mod.ts";
import { ConfigError } from "./config.ts";

/** `deno task export --help`. */
export const EXPORT_USAGE = `usage: deno task export RUN --out DIR [--checkpoint best|last]

Writes a run's checkpoint to DIR in tfjs's LayersModel format (model.json and
weight shards, loadable by stock tfjs with tf.loadLayersModel) and skiplab.json
(class names; input shape; a pixel byte x becomes (x/255 - mean)/std, RGB).
DIR must be new, empty, or an earlier export.

  --out DIR                where to write (required)
  --checkpoint best|last   which weights (default best)`;

/** Runs `deno task export` with the words after the command; returns the exit code. */
export async function exportCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      out: { type: "string" },
      checkpoint: { type: "string", default: "best" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(EXPORT_USAGE);
    return 0;
  }
  if (positionals.length !== 1 || values.out === undefined) {
    throw new ConfigError("export: give one run directory and --out DIR");
  }
  const slot = values.checkpoint;
  if (slot !== "best" && slot !== "last") {
    throw new ConfigError(`export --checkpoint: must be 'best' or 'last', got '${slot}'`);
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
