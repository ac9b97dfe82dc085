/**
 * `deno task export RUN --out DIR`: a run's checkpoint as tfjs's LayersModel
 * format plus skiplab.json, for `tf.loadLayersModel` in a web page or Node.
 * @module
 */
import { resolve } from "node:path";
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
  run: async (args) => (await import("./_export_run.ts")).exportRun(args.values, args.positionals),
});
