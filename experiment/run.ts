/**
 * Runs one experiment end to end: backend, data, model, plugins, trainer,
 * then the run directory's files and the terminal report.
 * @module
 */
import { dirname, resolve } from "node:path";
import { stringify } from "yaml";
import { renderReport } from "../analysis/mod.ts";
import { selectPrecision } from "../backends/precision.ts";
import {
  loadCifar10,
  type Splits,
  syntheticDataset,
  withChannelNormalization,
} from "../data/mod.ts";
import {
  buildModel,
  type ModelSpec,
  modelVariant,
  resolveSpec,
  summarizeModel,
} from "../models/mod.ts";
import { createPluginRegistry, instantiatePlugin } from "../plugins/mod.ts";
import {
  checkpointDir,
  holdRunDir,
  inheritedRunLock,
  newRunDir,
  outermostMissing,
  prepareRunDir,
  RunDirError,
  type RunFile,
  type RunLock,
  RunLockedError,
  runPath,
  writeConfig,
  writeRunStart,
} from "../rundir/mod.ts";
import { runStart } from "./run_start.ts";
import { loadCheckpoint } from "../train/checkpoint.ts";
import { composePlugins } from "../train/compose.ts";
import type { Plugin } from "../train/hooks.ts";
import {
  architectureFacts,
  environmentFacts,
  heartbeat,
  runEstimate,
  runSummary,
  runTables,
  stepTable,
  testPredictions,
  trainingProgress,
} from "../train/observers/mod.ts";
import { train, type TrainResult } from "../train/trainer.ts";
import { ConfigError, type Experiment } from "./load.ts";
import { camelKeys } from "./keys.ts";
import { iterationPlan } from "./budget.ts";
import { isAutoBackend, selectRunBackend } from "./backend_choice.ts";

/** Options of {@linkcode runExperiment}. */
export interface RunOptions {
  /** Directory to write to. @default `${exp.out}/<time>-${exp.name}` */
  readonly dir?: string;
  /** Continue the run in this directory from `checkpoints/last`. */
  readonly resumeDir?: string;
  /** Aborting saves `checkpoints/last` and ends the run. */
  readonly signal?: AbortSignal;
  /** Print the report (tables and charts) at the end. @default true */
  readonly print?: boolean;
  /** Write progress to stderr. @default true */
  readonly progress?: boolean;
}

/** What a run produced. */
export interface RunOutcome {
  /** The run directory it wrote. */
  readonly dir: string;
  /** The trainer's result: histories, test metrics, tables, whether it was interrupted. */
  readonly result: TrainResult;
}

/**
 * Loads the data an experiment names (`synthetic`, `cifar10`, or a path/URL of
 * CIFAR-10), normalised per channel by the training split when it says so.
 */
export async function loadData(exp: Experiment, log: (m: string) => void): Promise<Splits> {
  const splits = await loadSplits(exp, log);
  return exp.data.normalize === "per-channel" ? withChannelNormalization(splits) : splits;
}

/**
 * Images in each split an experiment trains on, from its recipe alone (the
 * data is not read): CIFAR-10's 50,000 training and 10,000 test images less
 * the validation split, or the synthetic set's sizes, each cut to `limit`.
 */
export function splitSizes(exp: Experiment): { train: number; val: number; test: number } {
  const { source, limit, val_size } = exp.data;
  if (source === "synthetic") {
    const n = limit ?? 2000;
    return {
      train: n,
      val: Math.max(64, Math.floor(n / 4)),
      test: Math.max(64, Math.floor(n / 4)),
    };
  }
  const cut = (n: number) => Math.min(n, limit ?? n);
  return { train: cut(50_000 - val_size), val: cut(val_size), test: cut(10_000) };
}

function loadSplits(exp: Experiment, log: (m: string) => void): Promise<Splits> {
  const { source, limit, val_size, stratified, checksum } = exp.data;
  if (source === "synthetic") {
    return Promise.resolve(syntheticDataset({ seed: exp.seed, ...splitSizes(exp) }));
  }
  log(`data: CIFAR-10 from ${source === "cifar10" ? "the official archive" : source}`);
  const loading = loadCifar10({
    source: source === "cifar10" ? undefined : source,
    checksum,
    valSize: val_size,
    stratified,
    limit: limit ?? undefined,
  });
  if (source !== "cifar10") return loading;
  return loading.catch((e: Error) => {
    e.message +=
      "\n(no network here? pass a local copy with --data path/to/cifar-10-binary.tar.gz, " +
      "or train on the built-in dataset with --data synthetic)";
    throw e;
  });
}

/** An experiment's plugins, instantiated, and the architecture they build (ablations applied). */
export async function experimentSpec(
  exp: Experiment,
): Promise<{ plugins: Plugin[]; spec: ModelSpec }> {
  const registry = createPluginRegistry();
  const plugins: Plugin[] = [];
  for (const [i, entry] of exp.plugins.entries()) {
    plugins.push(await instantiatePlugin(entry, registry, `plugins[${i}]`));
  }
  const base = modelVariant(resolveSpec(exp.model), exp.model_options);
  return { plugins, spec: composePlugins(plugins).transformModel(base) };
}

/** The callback whose stop makes a run's epochs an upper bound. */
export const EARLY_STOPPING = "callbacks/early-stopping";

/**
 * Runs an experiment and writes `runs/<time>-<name>/` (or resumes `resumeDir`).
 * The run directory is locked for the run (rundir/run_lock.ts): a second
 * writer is refused with a {@linkcode RunLockedError} naming the first.
 *
 * @example
 * ```ts ignore
 * const exp = await loadExperiment("experiment/builtin/resnet18.yaml", { epochs: 1 });
 * const { dir } = await runExperiment(exp);
 * ```
 */
export async function runExperiment(
  exp: Experiment,
  options: RunOptions = {},
): Promise<RunOutcome> {
  const progress = options.progress === false ? undefined : trainingProgress();
  const asRunDirError = (e: unknown) => {
    throw e instanceof RunDirError ? new ConfigError(e.message, { cause: e }) : e;
  };
  const given = options.resumeDir ?? options.dir;
  const created = given === undefined || !(await Deno.stat(given).then(() => true, () => false));
  // What a failed start removes again: the run folder, and the output folder if it made it.
  const trace = await outermostMissing(given ?? exp.out);
  // A new folder is made atomically: two runs started in the same second never share one.
  const dir = given ?? await newRunDir(exp.out, exp.name).catch(asRunDirError);
  const what = options.resumeDir ? "train --resume" : "train";
  let lock: RunLock | undefined;
  try {
    const take = () => holdRunDir(dir, what, { inherit: inheritedRunLock() });
    // Locked before its files are touched (prepareRunDir tidies what a crash left).
    if (!created) lock = await take();
    // Before anything slow: a folder that cannot take the run fails here, naming it.
    await prepareRunDir(dir).catch(asRunDirError);
    lock ??= await take();
    return await trainIn(dir, exp, options, progress);
  } catch (e) {
    // A fresh run that failed before its first epoch leaves no folder behind.
    const has = (f: RunFile) => Deno.stat(runPath(dir, f)).then(() => true, () => false);
    const started = (await has("history")) || (await has("checkpoints"));
    if (created && !started && !(e instanceof RunLockedError)) {
      await lock?.release();
      lock = undefined;
      await Deno.remove(dir, { recursive: true }).catch(() => {});
      // Then the folders it made for it, while empty: another run may have started in them.
      for (let d = dirname(resolve(dir)); trace && d.startsWith(trace); d = dirname(d)) {
        if (!await Deno.remove(d).then(() => true, () => false)) break;
      }
    }
    throw e;
  } finally {
    await lock?.release();
  }
}

async function trainIn(
  dir: string,
  exp: Experiment,
  options: RunOptions,
  progress: Plugin | undefined,
): Promise<RunOutcome> {
  const log = (m: string) => progress?.onLog?.(m);
  // Checked before the data loads, so a damaged checkpoint fails at once.
  const resume = options.resumeDir ? await loadCheckpoint(checkpointDir(dir, "last")) : undefined;
  // Written first, so a run killed at any later instant can be resumed; rewritten on resume
  // too, since `--epochs` may have extended the run.
  await writeConfig(dir, stringify(exp));
  const { plugins, spec } = await experimentSpec(exp);
  // A resumed `auto` run keeps the backend it started on (its checkpoint records it), so that
  // it continues exactly; config.yaml keeps what was asked for.
  const kept = isAutoBackend(exp.backend) ? resume?.state.backend : undefined;
  const backend = await selectRunBackend(
    kept === undefined ? exp : { ...exp, backend: kept as Experiment["backend"] },
    spec,
    { log },
  );
  log(`backend: ${backend.reason}${kept === undefined ? "" : " (kept from the run's start)"}`);
  // The library, its version and path, and threads (oneDNN 3.7.1 (/path/libdnnl.so.3), 2 threads).
  if (backend.detail !== undefined) log(`backend detail: ${backend.detail}`);
  // Before the data loads: bf16 where it cannot run fails at once.
  const precision = await selectPrecision(
    exp.precision,
    backend.name,
    "'precision' (recipe field, or --precision)",
  );
  log(
    `${precision.reason}` +
      (precision.convImplementation ? `; convolution ${precision.convImplementation}` : ""),
  );

  const splits = await loadData(exp, log);

  const model = buildModel(spec, { seed: exp.seed, init: exp.init });
  const size = summarizeModel(model);
  log(
    `model: ${exp.model}${spec.name !== exp.model ? ` as ${spec.name}` : ""} — ` +
      `${
        size.trainableParams.toLocaleString("en")
      } trainable parameters, depth ${size.depth}, init ${exp.init}; ` +
      `data: ${splits.train.count} train / ${splits.val.count} val / ${splits.test.count} test; run: ${dir}`,
  );
  const facts = {
    name: exp.name,
    model: exp.model,
    backend: backend.name,
    params: size.totalParams,
    trainable_params: size.trainableParams,
    architecture: architectureFacts(spec, size),
    seed: exp.seed,
    recipe: JSON.parse(JSON.stringify(exp)),
    environment: {
      ...await environmentFacts(backend.detail),
      precision: precision.precision,
      conv_implementation: precision.convImplementation,
    },
  };
  const plan = iterationPlan(exp);
  const { start, logEvery } = runStart(exp, { spec, size, backend: backend.name, plan, splits });
  // Before the first step, so a viewer knows what it watches from the first second.
  await writeRunStart(dir, start);
  const estimate = runEstimate({
    onEstimate: (e) =>
      writeRunStart(dir, {
        ...start,
        estimate: {
          seconds: e.seconds,
          images_per_sec: e.imagesPerSec,
          text: e.text,
          at: new Date().toISOString(),
        },
      }).catch((err) => log(`could not write the run's estimate: ${err.message}`)),
    backend: backend.name,
    trainImages: splits.train.count,
    valImages: splits.val.count,
    testImages: splits.test.count,
    iterations: plan.iterations,
    evalEvery: plan.evalEvery,
    upTo: exp.plugins.some((p) => p.name === EARLY_STOPPING),
  });
  const observers = {
    first: [heartbeat(dir), stepTable(dir, logEvery), ...(progress ? [progress] : []), estimate],
    last: [
      runTables(dir),
      testPredictions(dir, splits.test),
      runSummary(dir, facts),
      reportWriter(dir, options.print !== false),
    ],
  };
  if (plan.iterations !== undefined) {
    log(
      `iterations: ${plan.iterations.toLocaleString("en")}` +
        (exp.budget !== 1 ? ` (budget ${exp.budget} of ${exp.iterations})` : "") +
        (plan.schedule.type === "multistep"
          ? (plan.schedule.warmup
            ? `, lr ${plan.schedule.warmup.lr} for the first ${plan.schedule.warmup.iterations}`
            : "") + `, lr drops at ${plan.schedule.milestones}`
          : ""),
    );
  }
  let result: TrainResult;
  try {
    result = await train({
      model,
      train: splits.train,
      val: splits.val,
      test: splits.test,
      epochs: exp.epochs,
      iterations: plan.iterations,
      evalEvery: plan.evalEvery,
      batchSize: exp.batch_size,
      seed: exp.seed,
      optimizer: camelKeys(exp.optimizer),
      schedule: camelKeys(plan.schedule),
      plugins: [...observers.first, ...plugins, ...observers.last],
      runDir: dir,
      runName: exp.name,
      resume,
      signal: options.signal,
    });
  } finally {
    if (resume) {
      for (const t of [...Object.values(resume.weights), ...Object.values(resume.optimizer)]) {
        t.dispose();
      }
    }
    model.dispose();
  }
  log(`${result.stopReason === "completed" ? "done" : `stopped (${result.stopReason})`}: ${dir}`);
  return { dir, result };
}

/**
 * The observer that renders a finished run's report from the files the
 * observers before it wrote: classes.csv, figures/*.svg, report.md, and the
 * terminal tables and charts when `print`.
 */
function reportWriter(dir: string, print: boolean): Plugin {
  return {
    name: "observers/report",
    async onRunEnd(end) {
      if (end.stop.interrupted) return;
      const report = await renderReport(dir);
      if (print) console.log(report.text);
    },
  };
}
