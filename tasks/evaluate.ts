/**
 * `deno task evaluate RUN`: test metrics, confusion matrix and class report
 * of a saved checkpoint, without retraining, printed and written to
 * `RUN/evaluations/<checkpoint>-<data>/` (never over the run's own files).
 * @module
 */
import { basename } from "node:path";
import { parseArgs } from "node:util";
import { classificationReport, formatClassificationReport, topKAccuracy } from "../analysis/mod.ts";
import { type BackendName, selectBackend } from "../backends/mod.ts";
import { loadRun } from "../inference/mod.ts";
import {
  evaluationDir,
  type EvaluationRecord,
  runPath,
  writeClasses,
  writeConfusion,
  writeEvaluation,
} from "../rundir/mod.ts";
import { evaluate } from "../train/evaluate.ts";
import { ConfigError, type Experiment, loadExperiment } from "./config.ts";
import { flagOfPath } from "./flags.ts";
import { loadData } from "./run.ts";

/** `deno task evaluate --help`. */
export const EVALUATE_USAGE =
  `usage: deno task evaluate RUN [--checkpoint best|last] [--data SOURCE] [flags]

Evaluates a saved checkpoint of the run directory RUN on a test set, without
retraining: loss, top-1 and top-5 accuracy, confusion matrix, class report.
Prints them and writes RUN/evaluations/<name>/ (evaluation.json, confusion.csv,
classes.csv); the run's own files are left as they are.

  --checkpoint best|last   which weights (default best: lowest validation loss)
  --data SOURCE            test set: cifar10, synthetic, a path or URL of CIFAR-10
                           (default: the data the run trained on, its test split)
  --limit N                images to load (default: the run's limit for the run's
                           own data, none for other --data)
  --backend NAME           auto|native|tensorflow|webgpu|wasm|cpu (default: the run's)
  --name NAME              evaluation folder name (default <checkpoint>-<data>)
  --json                   print evaluation.json instead of the tables`;

/** Runs `deno task evaluate` with the words after the command; returns the exit code. */
export async function evaluateCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      checkpoint: { type: "string", default: "best" },
      data: { type: "string" },
      limit: { type: "string" },
      backend: { type: "string" },
      name: { type: "string" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(EVALUATE_USAGE);
    return 0;
  }
  if (positionals.length !== 1) {
    throw new ConfigError(`evaluate: give one run directory, got ${positionals.length}`);
  }
  const dir = positionals[0];
  const slot = values.checkpoint;
  if (slot !== "best" && slot !== "last") {
    throw new ConfigError(`evaluate --checkpoint: must be 'best' or 'last', got '${slot}'`);
  }
  const overrides: Record<string, unknown> = {};
  if (values.backend !== undefined) overrides.backend = values.backend;
  const data: Record<string, unknown> = {};
  if (values.data !== undefined) data.source = values.data;
  if (values.limit !== undefined) data.limit = Number(values.limit);
  // Other data is evaluated whole unless --limit says otherwise; the run's limit was for its own.
  else if (values.data !== undefined) data.limit = null;
  if (Object.keys(data).length) overrides.data = data;
  const exp = await experimentOfRun(dir, overrides);
  const log = (m: string) => console.error(m);
  const backend = await selectBackend(exp.backend as BackendName);
  log(`backend: ${backend.reason}`);
  const run = await loadRun(dir, { checkpoint: slot });
  try {
    const { test } = await loadData(exp, log);
    if (test.classNames.length !== run.classNames.length) {
      throw new ConfigError(
        `evaluate: the data has ${test.classNames.length} classes, the model ${run.classNames.length}`,
      );
    }
    log(
      `evaluating checkpoints/${slot} (after ${run.state.epoch} epochs) on ${test.count} test images`,
    );
    const ev = await evaluate(run.model, test, { probabilities: true });
    const classes = test.classNames.length;
    const record: EvaluationRecord = {
      name: values.name ?? `${slot}-${slug(exp.data.source)}`,
      checkpoint: slot,
      epochs_trained: run.state.epoch,
      data: exp.data.source,
      split: "test",
      count: test.count,
      loss: ev.loss,
      acc: ev.acc,
      top5_acc: classes > 5 && test.count > 0
        ? topKAccuracy(ev.probabilities!, test.labels, 5)
        : NaN,
      backend: backend.name,
      evaluated_at: new Date().toISOString(),
    };
    const out = evaluationDir(dir, record.name);
    const report = classificationReport(ev.confusion, test.classNames);
    await writeEvaluation(out, record);
    await writeConfusion(out, { classNames: test.classNames, matrix: ev.confusion });
    await writeClasses(out, report);
    if (values.json) console.log(JSON.stringify(record, null, 2));
    else {
      console.log(
        `${dir} checkpoints/${slot} (after ${record.epochs_trained} epochs), ${record.count} test images ` +
          `(${record.data})\n\nloss ${fmt(record.loss)}  accuracy ${pct(record.acc)}` +
          (Number.isNaN(record.top5_acc) ? "" : `  top-5 ${pct(record.top5_acc)}`) +
          `\n\nconfusion matrix (rows actual, columns predicted)\n` +
          formatConfusion(ev.confusion, test.classNames) +
          "\nclassification report\n" + formatClassificationReport(report),
      );
    }
    log(`wrote ${out}/`);
    return 0;
  } finally {
    run.model.dispose();
  }
}

/** The run's experiment (its config.yaml) with the evaluation's overrides, validated. */
async function experimentOfRun(
  dir: string,
  overrides: Record<string, unknown>,
): Promise<Experiment> {
  const file = runPath(dir, "config");
  if (!(await Deno.stat(file).then(() => true, () => false))) {
    throw new ConfigError(`evaluate: '${dir}' is not a run directory (it has no config.yaml)`);
  }
  return await loadExperiment(file, overrides, flagOfPath);
}

const slug = (source: string) =>
  basename(source).replace(/\.(tar\.gz|tgz)$/i, "").replace(/[^\w.-]+/g, "_") || "data";
const fmt = (v: number) => (Number.isNaN(v) ? "n/a" : v.toFixed(4));
const pct = (v: number) => (Number.isNaN(v) ? "n/a" : `${(100 * v).toFixed(2)}%`);

function formatConfusion(matrix: readonly (readonly number[])[], names: readonly string[]): string {
  const label = Math.max(6, ...names.map((n) => n.length));
  const w = Math.max(
    5,
    ...matrix.flat().map((v) => String(v).length),
    ...names.map((n) => Math.min(n.length, 10)),
  );
  const head = " ".repeat(label) + names.map((n) => " " + n.slice(0, 10).padStart(w)).join("");
  const rows = matrix.map((r, i) =>
    names[i].padStart(label) + r.map((v) => " " + String(v).padStart(w)).join("")
  );
  return [head, ...rows].join("\n") + "\n";
}
