/**
 * `deno task evaluate RUN`: test metrics, confusion matrix and class report
 * of a saved checkpoint, without retraining, printed and written to
 * `RUN/evaluations/<checkpoint>-<data>/` (never over the run's own files).
 * @module
 */
import { join, resolve } from "node:path";
import { EVALUATIONS_DIR } from "../../rundir/mod.ts";
import { defineCommand } from "../command.ts";
import { dataGrants, grant } from "../permissions.ts";
import { runDirGrants, trainingBase } from "./_settings.ts";

/** `deno task evaluate`. */
export const evaluateCommand = defineCommand({
  name: "evaluate",
  summary: "Test a saved checkpoint without retraining",
  usage: ["RUN [--checkpoint best|last] [--data SOURCE] [flags]"],
  details:
    "Prints loss, top-1 and top-5 accuracy, the confusion matrix and the class report, and " +
    "writes them\nto RUN/evaluations/<name>/; the run's own files are left as they are.",
  flags: {
    checkpoint: {
      type: "string",
      value: "SLOT",
      default: "best",
      help: "best|last: which weights",
    },
    data: {
      type: "string",
      value: "SOURCE",
      help: "cifar10|synthetic|PATH|URL (default: the run's data, its test split)",
    },
    limit: {
      type: "string",
      value: "N",
      help: "images to load (default: the run's, for its data)",
    },
    backend: {
      type: "string",
      value: "NAME",
      help: "auto|native|tensorflow|webgpu|wasm|cpu (default: the run's)",
    },
    name: {
      type: "string",
      value: "NAME",
      help: "evaluation folder name (default <checkpoint>-<data>)",
    },
    json: { type: "boolean", help: "print evaluation.json instead of the tables" },
    "trust-plugins": {
      type: "boolean",
      help: "import the plugin files the run's config.yaml names (only for runs you trust)",
    },
  },
  async permissions({ values, positionals }, where) {
    const cache = where.cacheDir === undefined ? [] : [resolve(where.cacheDir)];
    let p = grant(trainingBase(where), { write: cache });
    if (positionals.length !== 1) return p;
    const dir = resolve(where.cwd, positionals[0]);
    // Without --data, the data the run trained on, which only its config.yaml names.
    p = grant(
      p,
      await runDirGrants(dir, where, {
        write: false,
        data: values.data === undefined,
        plugins: values["trust-plugins"] === true,
      }),
    );
    const data = values.data === undefined ? undefined : dataGrants(values.data, where);
    return grant(p, { read: data?.read, net: data?.net, write: [join(dir, EVALUATIONS_DIR)] });
  },
  run: async (args) =>
    (await import("./_evaluate_run.ts")).evaluateRun(args.values, args.positionals),
});
