/**
 * The work of `deno task evaluate`, loaded only when it runs (tasks/commands/evaluate.ts
 * declares the command; the launcher reads only the declaration).
 * @module
 */
import { basename } from "node:path";
import {
  classificationReport,
  formatClassificationReport,
  topKAccuracy,
} from "../../analysis/mod.ts";
import { type BackendName, selectBackend } from "../../backends/mod.ts";
import { loadRun } from "../../inference/mod.ts";
import {
  evaluationDir,
  type EvaluationRecord,
  runPath,
  writeClasses,
  writeConfusion,
  writeEvaluation,
} from "../../rundir/mod.ts";
import { evaluate } from "../../train/evaluate.ts";
import {
  ConfigError,
  type Experiment,
  flagOfPath,
  loadData,
  loadExperiment,
  loadExperimentWithoutPluginFiles,
} from "../../experiment/mod.ts";

export async function evaluateRun(
  values: {
    checkpoint?: string;
    data?: string;
    limit?: string;
    backend?: string;
    name?: string;
    json?: boolean;
    "trust-plugins"?: boolean;
  },
  positionals: readonly string[],
): Promise<number> {
  if (positionals.length !== 1) {
    throw new ConfigError(`evaluate: give one run directory, got ${positionals.length}`);
  }
  const dir = positionals[0];
  const slot = values.checkpoint ?? "best";
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
  const log = (m: string) => console.error(m);
  const exp = await experimentOfRun(dir, overrides, values["trust-plugins"] === true, log);
  // A recorded `auto:remeasure` has no model to time here: the fixed order serves.
  const backend = await selectBackend(
    exp.backend.startsWith("auto") ? "auto" : exp.backend as BackendName,
  );
  log(`backend: ${backend.reason}`);
  // The library, its version and path, and threads (oneDNN 3.7.1 (/path/libdnnl.so.3), 2 threads).
  if (backend.detail !== undefined) log(`backend detail: ${backend.detail}`);
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
    // Printed first: a run directory that cannot be written (read-only) still gives its numbers.
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
    try {
      await writeEvaluation(out, record);
      await writeConfusion(out, { classNames: test.classNames, matrix: ev.confusion });
      await writeClasses(out, report);
    } catch (e) {
      throw new EvaluationNotSaved(out, e);
    }
    log(`wrote ${out}/`);
    return 0;
  } finally {
    run.model.dispose();
  }
}

/** The results were printed but could not be written into the run directory. */
class EvaluationNotSaved extends ConfigError {
  constructor(out: string, cause: unknown) {
    const m = (cause as Error).message;
    const why =
      /EROFS|read-only|os error 30/i.test(m) || cause instanceof Deno.errors.PermissionDenied
        ? "the run directory is read-only"
        : /ENOSPC|no space|os error 28/i.test(m)
        ? "the disk is full"
        : m;
    super(`evaluate: the results above could not be saved to '${out}/': ${why} (${m})`, { cause });
  }
}

/**
 * The run's experiment (its config.yaml) with the evaluation's overrides,
 * validated. A run directory may come from anyone: its plugin files are
 * imported only when `trust` (`--trust-plugins`), else left out with a note
 * (evaluating needs none of them: the checkpoint holds the model).
 */
async function experimentOfRun(
  dir: string,
  overrides: Record<string, unknown>,
  trust: boolean,
  log: (line: string) => void,
): Promise<Experiment> {
  const file = runPath(dir, "config");
  if (!(await Deno.stat(file).then(() => true, () => false))) {
    throw new ConfigError(`evaluate: '${dir}' is not a run directory (it has no config.yaml)`);
  }
  if (trust) return await loadExperiment(file, overrides, flagOfPath);
  const { experiment, skipped } = await loadExperimentWithoutPluginFiles(file, overrides);
  for (const f of skipped) {
    log(`evaluate: not importing the run's plugin file ${f} (pass --trust-plugins to import it)`);
  }
  return experiment;
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
