/**
 * The command line: `train`, `suite`, `sweep`, `worker`, `models`, `report`,
 * `compare`, `evaluate`, `predict`, `export`, `serve`.
 * @module
 */
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { stringify } from "yaml";
import { selectBackend } from "../backends/mod.ts";
import { DataIntegrityError } from "../data/mod.ts";
import { compareRuns, renderReport } from "../analysis/mod.ts";
import { CheckpointError } from "../rundir/checkpoint_manifest.ts";
import { buildModel, createModelRegistry, summarizeModel } from "../models/mod.ts";
import { ConfigError, type Experiment, loadExperiment, type Locate } from "./config.ts";
import { flagOfPath, flagsRefusedOnResume, overridesFromFlags, parseFlags } from "./flags.ts";
import { experimentToResume } from "./resume.ts";
import { runExperiment } from "./run.ts";
import { runSuite, startSuite } from "./suite.ts";
import { parseSeeds } from "./suite_members.ts";
import { serveDashboard, writeHtmlReport } from "../serve/mod.ts";
import { SWEEP_USAGE, sweepCommand } from "./sweep.ts";
import { evaluateCommand } from "./evaluate.ts";
import { predictCommand } from "./predict.ts";
import { exportCommand } from "./export.ts";

/** The built-in experiments: beside this file in a checkout, inside the package from JSR. */
const BUILTIN = new URL("./experiments/", import.meta.url);
const builtin = (file: string) => {
  const url = new URL(file, BUILTIN);
  return url.protocol === "file:" ? fileURLToPath(url) : url.href;
};
const RECIPE = builtin("paper-recipe.yaml");

const USAGE = `skiplab — deep-CNN experiments on TensorFlow.js

usage:
  deno task train <model | experiment.yaml> [flags]   train one model (a model name uses the paper's recipe)
  deno task train --resume runs/<id> [--epochs N]      continue an interrupted run exactly (more epochs extend it)
  deno task suite <suite.yaml> [flags]                 run every member of a suite, then Table I
  deno task suite --resume runs/<suite-id>             continue a suite at the member and epoch it stopped
  deno task train|suite … --seeds 0,1,2                every member once per seed; Table I gives mean ± std
${SWEEP_USAGE}
  deno task models                                     list architectures
  deno task report <run-or-suite-dir> [--html]         re-render tables, charts, figures from files
                                                       (--html: also one offline report.html of the dashboard views)
  deno task serve [DIR] [--port N] [--host H] [--poll] the dashboard over the runs in DIR (default runs/)
  deno task compare <dir> <dir> …                      several runs in one table with overlaid curves
  deno task evaluate <run-dir> [--checkpoint best|last] [--data …]   test a saved checkpoint
  deno task predict <run-dir> <image.png|jpg> … [--top K] [--json]   classify image files
  deno task export <run-dir> --out DIR                 tfjs LayersModel for web pages and Node
  (each of these three has its own --help)

flags (override the experiment):
  --epochs N  --batch-size N  --lr X  --backend auto|native|tensorflow|webgpu|wasm|cpu
  --data cifar10|synthetic|PATH|URL  --limit N  --seed N  --out DIR  --name NAME
  --width X (scale every layer's filters, e.g. 0.25 for a quick run)
  --iterations N  --budget X (a fraction of an iteration recipe: stop, milestones, eval_every)
  --eval-every N (validation points of curve.csv, in iterations before the budget)
  --precision fp32|bf16|auto (bf16 needs the native backend on an AMX or AVX512-BF16 CPU)
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
  if (/\.ya?ml$/.test(target)) {
    // The user's file first; a bare name not in the working folder may be a built-in one.
    const local = await Deno.stat(target).then(() => true, () => false);
    if (local || /[\\/]/.test(target)) return await loadExperiment(target, overrides, flagOfPath);
    return await loadExperiment(builtin(target), overrides, flagOfPath).catch((e: Error) => {
      if (!(e.cause instanceof Deno.errors.NotFound)) throw e;
      throw new ConfigError(
        `Cannot read experiment '${target}': no such file in ${Deno.cwd()}, nor a built-in ` +
          "experiment of that name (baseline_cnn.yaml, resnet18.yaml, … in tasks/experiments/)",
      );
    });
  }
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
  // A sweep's worker supervises its member through stdin (sweep/child.ts): when the pipe
  // closes (the worker stops it, or died), save and stop like SIGTERM.
  if (Deno.env.get("SKIPLAB_SUPERVISED") === "1") {
    (async () => {
      const buf = new Uint8Array(256);
      while ((await Deno.stdin.read(buf).catch(() => null)) !== null) { /* drain */ }
      if (ctl.signal.aborted) return;
      code = 143;
      console.error("\nsupervisor gone: saving checkpoints/last after this step");
      ctl.abort();
    })();
  }
  return {
    signal: ctl.signal,
    exitCode: () => code,
    [Symbol.dispose]: () => listeners.forEach(([sig, on]) => Deno.removeSignalListener(sig, on)),
  };
}

/** Runs the CLI with `args`; returns the exit code. */
export async function main(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  if (command === "sweep" || command === "worker") {
    // Their own flags (--workers, --queue, --runs …) besides the settings.
    if (rest.includes("--help") || rest.includes("-h")) return (console.log(USAGE), 0);
    using stop = interruptible();
    // The worker loads the queue's client (BullMQ) only when asked for.
    const run = command === "sweep" ? sweepCommand : (await import("./worker.ts")).workerCommand;
    return await run(rest, stop.signal);
  }
  // These three take flags of their own, parsed by their modules.
  if (command === "evaluate") return await evaluateCommand(rest);
  if (command === "predict") return await predictCommand(rest);
  if (command === "export") return await exportCommand(rest);
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
      if (values.seeds !== undefined) {
        if (resuming) {
          throw new ConfigError(
            `train --resume: --seeds cannot be given; a run of several seeds is a suite: ` +
              `deno task suite --resume <its directory>`,
          );
        }
        // One experiment, once per seed: a suite of one setting, through the suite's code.
        const target = positionals[0], overrides = overridesFromFlags(values);
        // The file experimentFor read: the user's, or a built-in one of that name.
        const local = /[\\/]/.test(target) || await Deno.stat(target).then(() => true, () => false);
        const source = /\.ya?ml$/.test(target)
          ? { file: local ? resolve(target) : builtin(target), overrides: {} }
          : { file: RECIPE, overrides: { model: target, name: overrides.name ?? target } };
        using stop = interruptible();
        const r = await startSuite(
          {
            name: exp.name,
            out: exp.out,
            sources: [source],
            axes: { seeds: parseSeeds(values.seeds) },
          },
          overrides,
          { signal: stop.signal },
        );
        return r.interrupted ? stop.exitCode() : 0;
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
      // A bare suite name not in the working folder may be a built-in one (paper.yaml).
      const local = values.resume !== undefined || /[\\/]/.test(target) ||
        await Deno.stat(target).then(() => true, () => false);
      const file = local ? target : builtin(target);
      const r = await runSuite(file, overridesFromFlags(values), {
        signal: stop.signal,
        seeds: values.seeds === undefined ? undefined : parseSeeds(values.seeds),
      });
      return r.interrupted ? stop.exitCode() : 0;
    }
    case "report":
      if (positionals.length !== 1) {
        throw new ConfigError("report: give one run or suite directory");
      }
      console.log((await renderReport(positionals[0])).text);
      if (values.html) console.log(`wrote ${await writeHtmlReport(positionals[0])}`);
      return 0;
    case "serve": {
      if (positionals.length > 1) throw new ConfigError("serve: give at most one folder of runs");
      const port = values.port === undefined ? 8080 : Number(values.port);
      if (values.port !== undefined && (values.port.trim() === "" || !Number.isInteger(port))) {
        throw new ConfigError(`serve --port: expected an integer, got '${values.port}'`);
      }
      const server = await serveDashboard({
        root: positionals[0] ?? "runs",
        host: values.host,
        port,
        poll: values.poll,
      });
      const stop = () => void server.shutdown();
      for (const sig of ["SIGINT", "SIGTERM"] as const) Deno.addSignalListener(sig, stop);
      await server.finished;
      for (const sig of ["SIGINT", "SIGTERM"] as const) Deno.removeSignalListener(sig, stop);
      return 0;
    }
    case "compare":
      if (positionals.length < 1) {
        throw new ConfigError("compare: give one or more run directories");
      }
      console.log(await compareRuns(positionals));
      return 0;
    default:
      throw new ConfigError(
        `Unknown command '${command}'. Commands: train, suite, sweep, worker, models, report, ` +
          "compare, evaluate, predict, export, serve",
      );
  }
}

/**
 * Runs the CLI with `args` and exits with its code. A user's mistake (a bad
 * flag, file, config or checkpoint) prints one `error:` line and exits 2;
 * anything else is a bug and prints its stack too (exit 1).
 */
export async function runAndExit(args: string[]): Promise<never> {
  try {
    Deno.exit(await main(args));
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

if (import.meta.main) await runAndExit(Deno.args);
