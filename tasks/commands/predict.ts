/**
 * `deno task predict RUN IMAGE…`: the most probable classes of PNG and JPEG
 * files under a run's checkpoint. A file that cannot be read or decoded is
 * reported, naming it, and the others are still classified.
 * @module
 */
import { resolve } from "node:path";
import { defineCommand } from "../command.ts";
import { grant, NONE } from "../permissions.ts";

/** `deno task predict`. */
export const predictCommand = defineCommand({
  name: "predict",
  summary: "Classify PNG and JPEG files with a run's checkpoint",
  usage: ["RUN IMAGE... [--top K] [--json] [flags]"],
  details: "Each image is resized to the model's input and normalised exactly as in training. A " +
    "file that is\nmissing, empty, corrupt or not an image is reported with its name and the " +
    "others are still\nclassified; the exit status is then 1 (0 when every file was classified, " +
    "2 for a usage error).",
  flags: {
    top: { type: "string", value: "K", default: "3", help: "classes to show per image" },
    checkpoint: {
      type: "string",
      value: "SLOT",
      default: "best",
      help: "best|last: which weights",
    },
    backend: {
      type: "string",
      value: "NAME",
      default: "cpu",
      help: "auto|native|tensorflow|webgpu|wasm|cpu",
    },
    json: { type: "boolean", help: 'one JSON document: {"predictions": [...], "errors": [...]}' },
  },
  permissions: ({ positionals }, where) =>
    grant(NONE, {
      read: [where.root, ...positionals.map((p) => resolve(where.cwd, p))],
      ffi: true,
      sys: ["cpus"],
    }),
  run: async (args) =>
    (await import("./_predict_run.ts")).predictRun(args.values, args.positionals),
});
