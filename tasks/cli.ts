/**
 * The command line: `train`, `suite`, `models`, `report`, `compare`.
 * @module
 */
import { stringify } from "yaml";
import { selectBackend } from "../backends/mod.ts";
import { DataIntegrityError } from "../data/mod.ts";
import { compareRuns, renderReport } from "../analysis/mod.ts";
import { CheckpointError } from "../train/checkpoint_schema.ts";
import { buildModel, createModelRegistry, summarizeModel } from "../models/mod.ts";
import { ConfigError, type Experiment, loadExperiment, type Locate } from "./config.ts";
import { flagOfPath, flagsRefusedOnResume, overridesFromFlags, parseFlags } from "./flags.ts";
import { experimentToResume } from "./resume.ts";
import { runExperiment } from "./run.ts";
import { runSuite } from "./suite.ts";

const RECIPE = new URL("./experiments/paper-recipe.yaml", import.meta.url).pathname;

const USAGE = `skiplab — deep-CNN experiments on TensorFlow.js

usage:
  deno task train <model | experiment.yaml> [flags]   train one model (a model name uses the paper's recipe)
  deno task train --resume runs/<id> [--epochs N]      continue an interrupted run exactly (more epochs extend it)
  deno task suite <suite.yaml> [flags]                 run every member of a suite, then Table I
  deno task suite --resume runs/<suite-id>             continue a suite at the member and epoch it stopped
  deno task models                                     list architectures
  deno task report <run-or-suite-dir>                  re-render tables, charts, figures from files
  deno task compare <dir> <dir> …                      several runs in one table with overlaid curves

flags (override the experiment):
  --epochs N  --batch-size N  --lr X  --backend auto|native|tensorflow|webgpu|wasm|cpu
  --data cifar10|synthetic|PATH|URL  --limit N  --seed N  --out DIR  --name NAME
  --width X (scale every layer's filters, e.g. 0.25 for a quick run)
  --iterations N  --budget X (a fraction of an iteration recipe: stop, milestones, eval_every)
  --eval-every N (validation points of curve.csv, in iterations before the budget)
  --plugin ./file.ts (repeatable)  --print-config  --help`;

/**
 * The experiment a `train` target names: a YAML file, or a registered model
 * trained with the paper's recipe. `overrides` (from the flags) are merged
 * once and the whole is validated once.
 */
export async function experimentFor(
  target: string,
  overrides: Record<string, unknown>,
): Promise<Experiment> {
  if (/\.ya?ml$/.test(target)) return await loadExperiment(target, overrides, flagOfPath);
  // A model name is one more override of the recipe; `--name` still names the run.
  const named = { ...overrides, model: target, name: overrides.name ?? target };
  const where: Locate = (path) =>
    path[0] === "model" || (path[0] === "name" && overrides.name === undefined)
      ? `train ${target}`
      : flagOfPath(path);
  return await loadExperiment(RECIPE, named, where);
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

/**
 * Ctrl-C and SIGTERM (how Slurm and Kubernetes stop a job) both ask the run to
 * save `checkpoints/last` after the current step; a second signal quits at once.
 */
function interruptible(): { signal: AbortSignal; exitCode(): number; [Symbol.dispose](): void } {
  const ctl = new AbortController();
  let code = 130;
  const listeners = (["SIGINT", "SIGTERM"] as const).map((sig) => {
    const on = () => {
      if (ctl.signal.aborted) Deno.exit(sig === "SIGINT" ? 130 : 143);
      code = sig === "SIGINT" ? 130 : 143;
      console.error(
        `\n${sig === "SIGINT" ? "interrupt" : "SIGTERM"}: saving checkpoints/last after this ` +
          "step (signal again to quit now)",
      );
      ctl.abort();
    };
    Deno.addSignalListener(sig, on);
    return [sig, on] as const;
  });
  return {
    signal: ctl.signal,
    exitCode: () => code,
    [Symbol.dispose]: () => listeners.forEach(([sig, on]) => Deno.removeSignalListener(sig, on)),
  };
}

/** Runs the CLI with `args`; returns the exit code. */
export async function main(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  const { values, positionals } = parseFlags(rest);
  if (values.help || command === undefined || command === "help") {
    console.log(USAGE);
    return 0;
  }
  switch (command) {
    case "models":
      await selectBackend("cpu"); // building needs no speed; cpu runs everywhere
      models();
      return 0;
    case "train": {
      if (values.resume !== undefined && positionals.length) {
        throw new ConfigError(
          `train --resume: the run directory says what to train; drop '${positionals[0]}'`,
        );
      }
      if (values.resume === undefined && positionals.length !== 1) {
        throw new ConfigError(
          "train: give one model name or experiment file (deno task models lists the names)",
        );
      }
      const resuming = values.resume !== undefined
        ? await experimentToResume(values.resume, values)
        : undefined;
      const exp = resuming?.experiment ??
        await experimentFor(positionals[0], overridesFromFlags(values));
      if (values["print-config"]) {
        console.log(stringify(exp));
        return 0;
      }
      if (resuming?.finished) {
        console.error(resuming.finished);
        return 0;
      }
      if (resuming && !resuming.fromCheckpoint) {
        console.error(`${values.resume} has no checkpoint yet: training it from the start`);
      }
      using stop = interruptible();
      const { result } = await runExperiment(exp, {
        // Without a checkpoint the run starts again in its own directory.
        ...(resuming?.fromCheckpoint ? { resumeDir: values.resume } : { dir: values.resume }),
        signal: stop.signal,
      });
      return result.interrupted ? stop.exitCode() : 0;
    }
    case "suite": {
      const target = values.resume ?? positionals[0];
      if (target === undefined || positionals.length > (values.resume ? 0 : 1)) {
        throw new ConfigError(
          "suite: give one suite file (tasks/experiments/paper.yaml) or --resume <suite dir>",
        );
      }
      const refused = values.resume === undefined ? [] : flagsRefusedOnResume(values, true);
      if (refused.length) {
        throw new ConfigError(
          `suite --resume: ${refused.map((f) => `--${f}`).join(", ")} cannot be given: a suite ` +
            "resumes with the flags it was started with (its suite.json)",
        );
      }
      using stop = interruptible();
      const r = await runSuite(target, overridesFromFlags(values), { signal: stop.signal });
      return r.interrupted ? stop.exitCode() : 0;
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
      err instanceof CheckpointError ||
      err instanceof Deno.errors.NotFound ||
      (err as { code?: string }).code?.startsWith("ERR_PARSE_ARGS");
    console.error(`error: ${err.message}`);
    if (!expected) console.error(err.stack);
    Deno.exit(expected ? 2 : 1);
  }
}
