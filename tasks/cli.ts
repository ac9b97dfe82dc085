/**
 * The command line: `train`, `suite`, `models`, `report`, `compare`.
 * @module
 */
import { parseArgs } from "node:util";
import { stringify } from "yaml";
import { selectBackend } from "../backends/mod.ts";
import { DataIntegrityError } from "../data/mod.ts";
import { compareRuns, renderReport } from "../analysis/mod.ts";
import { Registry } from "../core/mod.ts";
import { buildModel, createModelRegistry, summarizeModel } from "../models/mod.ts";
import {
  ConfigError,
  type Experiment,
  loadExperiment,
  mergeExperiment,
  validateExperiment,
} from "./config.ts";
import { runExperiment } from "./run.ts";
import { runSuite } from "./suite.ts";

const RECIPE = new URL("./experiments/paper-recipe.yaml", import.meta.url).pathname;

const USAGE = `skiplab — deep-CNN experiments on TensorFlow.js

usage:
  deno task train <model | experiment.yaml> [flags]   train one model (a model name uses the paper's recipe)
  deno task train --resume runs/<id> [--epochs N]      continue an interrupted run exactly
  deno task suite <suite.yaml> [flags]                 run every member of a suite, then Table I
  deno task suite --resume runs/<suite-id>             continue a suite at the member and epoch it stopped
  deno task models                                     list architectures
  deno task report <run-or-suite-dir>                  re-render tables, charts, figures from files
  deno task compare <dir> <dir> …                      several runs in one table with overlaid curves

flags (override the experiment):
  --epochs N  --batch-size N  --lr X  --backend auto|native|tensorflow|webgpu|wasm|cpu
  --data cifar10|synthetic|PATH|URL  --limit N  --seed N  --out DIR  --name NAME
  --width X (scale every layer's filters, e.g. 0.25 for a quick run)
  --plugin ./file.ts (repeatable)  --print-config  --help`;

const FLAGS = {
  epochs: { type: "string" },
  "batch-size": { type: "string" },
  lr: { type: "string" },
  backend: { type: "string" },
  data: { type: "string" },
  limit: { type: "string" },
  seed: { type: "string" },
  out: { type: "string" },
  name: { type: "string" },
  width: { type: "string" },
  plugin: { type: "string", multiple: true },
  resume: { type: "string" },
  "print-config": { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

type Values = ReturnType<
  typeof parseArgs<{ options: typeof FLAGS; allowPositionals: true }>
>["values"];

function number(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === "" || !Number.isFinite(n)) {
    throw new ConfigError(`--${flag}: expected a number, got '${v}'`);
  }
  return n;
}

/** Turns command-line flags into experiment overrides. */
export function overridesFromFlags(v: Values): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  const data: Record<string, unknown> = {};
  if (v.epochs !== undefined) o.epochs = number("epochs", v.epochs);
  if (v["batch-size"] !== undefined) o.batch_size = number("batch-size", v["batch-size"]);
  if (v.lr !== undefined) o.optimizer = { lr: number("lr", v.lr) };
  if (v.backend !== undefined) o.backend = v.backend;
  if (v.seed !== undefined) o.seed = number("seed", v.seed);
  if (v.out !== undefined) o.out = v.out;
  if (v.name !== undefined) o.name = v.name;
  if (v.width !== undefined) o.model_options = { width: number("width", v.width) };
  if (v.data !== undefined) data.source = v.data;
  if (v.limit !== undefined) data.limit = number("limit", v.limit);
  if (Object.keys(data).length) o.data = data;
  if (v.plugin?.length) {
    o.plugins = v.plugin.map((p) => ({ path: new URL(p, `file://${Deno.cwd()}/`).pathname }));
  }
  return o;
}

/** The experiment a `train` target names: a YAML file, or a model with the paper recipe. */
export async function experimentFor(
  target: string,
  overrides: Record<string, unknown>,
): Promise<Experiment> {
  if (/\.ya?ml$/.test(target)) return await loadExperiment(target, overrides);
  createModelRegistry().get(target); // unknown names fail here, with suggestions
  return await loadExperiment(RECIPE, mergeExperiment({ name: target, model: target }, overrides));
}

function models(): void {
  const rows = createModelRegistry().names().map((name) => {
    const m = buildModel(name);
    const s = summarizeModel(m);
    m.dispose();
    return [
      name,
      s.trainableParams.toLocaleString("en"),
      s.totalParams.toLocaleString("en"),
      String(s.depth),
      `${(s.flops / 1e6).toFixed(1)} M`,
    ];
  });
  const head = ["model", "trainable", "total", "depth", "FLOPs/image"];
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) =>
    r.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join("  ");
  console.log([line(head), w.map((n) => "-".repeat(n)).join("  "), ...rows.map(line)].join("\n"));
}

function interruptible(): AbortController {
  const ctl = new AbortController();
  let hits = 0;
  const onInt = () => {
    if (++hits > 1) Deno.exit(130);
    console.error(
      "\ninterrupt: saving checkpoints/last after this step (press Ctrl-C again to quit now)",
    );
    ctl.abort();
  };
  Deno.addSignalListener("SIGINT", onInt);
  return ctl;
}

/** Runs the CLI with `args`; returns the exit code. */
export async function main(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  for (const arg of rest) {
    const flag = arg.startsWith("--") ? arg.slice(2).split("=")[0] : undefined;
    if (flag && !(flag in FLAGS)) {
      const known = new Registry<true>("flag");
      for (const k of Object.keys(FLAGS)) known.register(`--${k}`, true);
      known.get(`--${flag}`); // throws: Unknown flag '--epoch'. Did you mean '--epochs'? …
    }
  }
  const { values, positionals } = parseArgs({
    args: rest,
    options: FLAGS,
    allowPositionals: true,
    strict: true,
  });
  if (values.help || command === undefined || command === "help") {
    console.log(USAGE);
    return 0;
  }
  const overrides = overridesFromFlags(values);
  switch (command) {
    case "models":
      await selectBackend("cpu"); // building needs no speed; cpu runs everywhere
      models();
      return 0;
    case "train": {
      let exp: Experiment;
      if (values.resume) {
        const saved = await loadExperiment(`${values.resume}/config.yaml`);
        exp = validateExperiment(
          mergeExperiment({ ...saved }, overrides),
          `${values.resume}/config.yaml`,
        );
      } else {
        if (positionals.length !== 1) {
          throw new ConfigError(
            "train: give one model name or experiment file (deno task models lists the names)",
          );
        }
        exp = await experimentFor(positionals[0], overrides);
      }
      if (values["print-config"]) {
        console.log(stringify(exp));
        return 0;
      }
      const { result } = await runExperiment(exp, {
        resumeDir: values.resume,
        signal: interruptible().signal,
      });
      return result.interrupted ? 130 : 0;
    }
    case "suite": {
      const target = values.resume ?? positionals[0];
      if (target === undefined || positionals.length > (values.resume ? 0 : 1)) {
        throw new ConfigError(
          "suite: give one suite file (tasks/experiments/paper.yaml) or --resume <suite dir>",
        );
      }
      const r = await runSuite(target, overrides, { signal: interruptible().signal });
      return r.interrupted ? 130 : 0;
    }
    case "report":
      if (positionals.length !== 1) {
        throw new ConfigError("report: give one run or suite directory");
      }
      console.log((await renderReport(positionals[0])).text);
      return 0;
    case "compare":
      if (positionals.length < 1) {
        throw new ConfigError("compare: give one or more run directories");
      }
      console.log(await compareRuns(positionals));
      return 0;
    default:
      throw new ConfigError(
        `Unknown command '${command}'. Commands: train, suite, models, report, compare`,
      );
  }
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (e) {
    const err = e as Error;
    const expected = err instanceof ConfigError || err instanceof RangeError ||
      err instanceof TypeError || err instanceof SyntaxError || err instanceof DataIntegrityError ||
      err instanceof Deno.errors.NotFound ||
      (err as { code?: string }).code?.startsWith("ERR_PARSE_ARGS");
    console.error(`error: ${err.message}`);
    if (!expected) console.error(err.stack);
    Deno.exit(expected ? 2 : 1);
  }
}
