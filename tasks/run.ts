/**
 * Runs one experiment end to end: backend, data, model, plugins, trainer,
 * then the run directory's files and the terminal report.
 * @module
 */
import { stringify } from "yaml";
import { classificationReport, confusionMatrix, renderReport } from "../analysis/mod.ts";
import { selectBackend } from "../backends/select.ts";
import { type ImageSet, loadCifar10, type Splits, syntheticDataset } from "../data/mod.ts";
import {
  buildModel,
  type ModelSummary,
  modelVariant,
  resolveSpec,
  summarizeModel,
} from "../models/mod.ts";
import {
  composePlugins,
  createPluginRegistry,
  instantiatePlugin,
  type Plugin,
} from "../plugins/mod.ts";
import { loadCheckpoint } from "../train/checkpoint.ts";
import { writeFileAtomic } from "../train/atomic.ts";
import { terminalReporter } from "../train/progress.ts";
import { toCsv } from "../train/recorder.ts";
import { train, type TrainResult } from "../train/trainer.ts";
import type { Experiment } from "./config.ts";
import { camelKeys } from "./keys.ts";

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
  readonly dir: string;
  readonly result: TrainResult;
}

/** Loads the data an experiment names: `synthetic`, `cifar10`, or a path/URL of CIFAR-10. */
export function loadData(exp: Experiment, log: (m: string) => void): Promise<Splits> {
  const { source, limit, val_size, stratified, checksum } = exp.data;
  if (source === "synthetic") {
    const n = limit ?? 2000;
    return Promise.resolve(
      syntheticDataset({
        seed: exp.seed,
        train: n,
        val: Math.max(64, Math.floor(n / 4)),
        test: Math.max(64, Math.floor(n / 4)),
      }),
    );
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

const stamp = () => new Date().toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);

/**
 * Runs an experiment and writes `runs/<time>-<name>/` (or resumes `resumeDir`).
 *
 * @example
 * ```ts ignore
 * const exp = await loadExperiment("tasks/experiments/resnet18.yaml", { epochs: 1 });
 * const { dir } = await runExperiment(exp);
 * ```
 */
export async function runExperiment(
  exp: Experiment,
  options: RunOptions = {},
): Promise<RunOutcome> {
  const reporter = options.progress === false ? { log: () => {} } : terminalReporter();
  const log = (m: string) => reporter.log?.(m);
  const backend = await selectBackend(exp.backend);
  log(`backend: ${backend.reason}`);

  const registry = createPluginRegistry();
  const plugins: Plugin[] = [];
  for (const [i, entry] of exp.plugins.entries()) {
    plugins.push(await instantiatePlugin(entry, registry, `plugins[${i}]`));
  }
  const spec = composePlugins(plugins).transformModel(
    modelVariant(resolveSpec(exp.model), exp.model_options),
  );
  const dir = options.resumeDir ?? options.dir ?? `${exp.out}/${stamp()}-${exp.name}`;
  // Checked before the data loads, so a damaged checkpoint fails at once.
  const resume = options.resumeDir ? await loadCheckpoint(`${dir}/checkpoints/last`) : undefined;
  const splits = await loadData(exp, log);
  await Deno.mkdir(dir, { recursive: true });
  // Rewritten on resume too: `--epochs` may have extended the run.
  await writeFileAtomic(`${dir}/config.yaml`, stringify(exp));

  const model = buildModel(spec, { seed: exp.seed });
  const size = summarizeModel(model);
  log(
    `model: ${exp.model}${spec.name !== exp.model ? ` as ${spec.name}` : ""} — ` +
      `${size.trainableParams.toLocaleString("en")} trainable parameters, depth ${size.depth}; ` +
      `data: ${splits.train.count} train / ${splits.val.count} val / ${splits.test.count} test; run: ${dir}`,
  );
  const started = performance.now();
  const result = await train({
    model,
    train: splits.train,
    val: splits.val,
    test: splits.test,
    epochs: exp.epochs,
    batchSize: exp.batch_size,
    seed: exp.seed,
    optimizer: camelKeys(exp.optimizer),
    schedule: camelKeys(exp.schedule),
    plugins,
    runDir: dir,
    runName: exp.name,
    resume,
    reporter,
    signal: options.signal,
  });
  if (resume) {
    for (const t of [...Object.values(resume.weights), ...Object.values(resume.optimizer)]) {
      t.dispose();
    }
  }
  const minutes = (performance.now() - started) / 60000;
  if (!result.interrupted) {
    await writeOutputs(dir, exp, result, size, backend.name, minutes, splits.test);
  }
  model.dispose();
  if (!result.interrupted && options.print !== false) {
    console.log((await renderReport(dir)).text);
  }
  log(`${result.stopReason === "completed" ? "done" : `stopped (${result.stopReason})`}: ${dir}`);
  return { dir, result };
}

async function writeOutputs(
  dir: string,
  exp: Experiment,
  result: TrainResult,
  size: ModelSummary,
  backend: string,
  minutes: number,
  testSet: ImageSet,
): Promise<void> {
  const { history, test } = result;
  const classes = testSet.classNames;
  if (test) {
    const cm = confusionMatrix(testSet.labels, test.predicted, classes.length);
    const confusion = cm.map((row, i) => ({
      actual: classes[i],
      ...Object.fromEntries(row.map((n, j) => [classes[j], n])),
    }));
    await writeFileAtomic(`${dir}/confusion.csv`, toCsv(confusion));
    const report = classificationReport(cm, classes).map((r) => ({ ...r }));
    await writeFileAtomic(`${dir}/classes.csv`, toCsv(report));
  }
  const best = history.reduce(
    (b, m) => (m.val_loss < (history[b]?.val_loss ?? Infinity) ? m.epoch : b),
    0,
  );
  const peak = Math.max(
    0,
    ...(result.tables.timing ?? []).map((r) => Number(r.peak_rss_bytes ?? 0) / 2 ** 20),
  );
  const summary = {
    name: exp.name,
    model: exp.model,
    backend,
    params: size.totalParams,
    trainable_params: size.trainableParams,
    epochs_run: history.length,
    best_epoch: best,
    test_acc: test?.acc ?? null,
    test_loss: test?.loss ?? null,
    train_minutes: minutes,
    seconds_per_epoch: history.reduce((s, m) => s + m.seconds, 0) / Math.max(1, history.length),
    peak_memory_mb: peak,
    stopped_reason: result.stopReason,
    class_names: classes,
    started_at: new Date(Date.now() - minutes * 60000).toISOString(),
  };
  await writeFileAtomic(`${dir}/summary.json`, JSON.stringify(summary, null, 2) + "\n");
}
