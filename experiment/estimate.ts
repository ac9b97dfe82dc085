/**
 * What several runs will cost before any trains (a suite, a sweep): each
 * distinct architecture, batch size, backend and precision among them is
 * timed once for a few real steps on random images (train/throughput.ts),
 * then images × epochs / rate is summed over the runs.
 * @module
 */
import { selectRunBackend } from "./backend_choice.ts";
import { selectPrecision } from "../backends/precision.ts";
import { buildModel } from "../models/mod.ts";
import { readHistory, RUN_FILES } from "../rundir/mod.ts";
import {
  estimateSeconds,
  formatDuration,
  measureThroughput,
  type RunPosition,
  type RunWork,
  type Throughput,
} from "../train/mod.ts";
import type { Experiment } from "./load.ts";
import { iterationPlan } from "./budget.ts";
import { camelKeys } from "./keys.ts";
import { EARLY_STOPPING, experimentSpec, splitSizes } from "./run.ts";

/** One run to estimate: its experiment, and where it stands when it was started before. */
export interface PlannedRun {
  /** The experiment the run trains. */
  readonly exp: Experiment;
  /** Epochs and steps it has done already (a resumed member). */
  readonly done?: RunPosition;
}

/** The estimate of several runs. */
export interface RunsEstimate {
  /** Seconds of all of them, one after another. */
  readonly seconds: number;
  /** Whether early stopping may end some sooner. */
  readonly upTo: boolean;
  /** The backends they train on. */
  readonly backends: readonly string[];
  /** How many distinct models were timed. */
  readonly measured: number;
}

/** An experiment's work from its recipe alone: the data is not read. */
export function experimentWork(exp: Experiment, done?: RunPosition): RunWork {
  const sizes = splitSizes(exp), plan = iterationPlan(exp);
  return {
    trainImages: sizes.train,
    batchSize: exp.batch_size,
    epochs: exp.epochs,
    iterations: plan.iterations,
    evalEvery: plan.evalEvery,
    valImages: sizes.val,
    testImages: sizes.test,
    upTo: exp.plugins.some((p) => p.name === EARLY_STOPPING),
    done,
  };
}

/**
 * Where a run directory stands: undefined for one that has not trained an
 * epoch, else the epochs its history.csv holds (a step count within an
 * epoch is not recorded there; the estimate counts that epoch whole).
 */
export async function runProgress(dir: string): Promise<RunPosition | undefined> {
  const rows = await readHistory(`${dir}/${RUN_FILES.history}`).catch(() => []);
  return rows.length ? { epoch: rows.length, step: 0 } : undefined;
}

/**
 * Measures each distinct (architecture, plugins, batch size, optimiser,
 * backend, precision) among `runs` once, in this process, with the run's
 * plugins (augmentation and probes cost time every step), and sums their
 * seconds.
 * Seconds, not minutes: a few steps of each (it selects the backends it
 * measures on, as each run will again).
 */
export async function estimateRuns(runs: readonly PlannedRun[]): Promise<RunsEstimate> {
  const rates = new Map<string, { rate: Throughput; backend: string }>();
  let seconds = 0;
  for (const { exp, done } of runs) {
    const { spec, plugins } = await experimentSpec(exp);
    const key = JSON.stringify([
      spec,
      exp.plugins,
      exp.batch_size,
      exp.optimizer.type,
      exp.backend,
      exp.precision,
    ]);
    let measured = rates.get(key);
    if (!measured) {
      // As the run will choose: `auto` times the backends once, and the run reads the cache.
      const backend = await selectRunBackend(exp, spec);
      await selectPrecision(exp.precision, backend.name, "'precision'");
      const model = buildModel(spec, { seed: exp.seed, init: exp.init });
      try {
        const optimizer = camelKeys(exp.optimizer);
        measured = {
          rate: await measureThroughput(model, { batchSize: exp.batch_size, optimizer, plugins }),
          backend: backend.name,
        };
      } finally {
        model.dispose();
      }
      rates.set(key, measured);
    }
    seconds += estimateSeconds(experimentWork(exp, done), measured.rate);
  }
  return {
    seconds,
    upTo: runs.some(({ exp }) => exp.plugins.some((p) => p.name === EARLY_STOPPING)),
    backends: [...new Set([...rates.values()].map((r) => r.backend))],
    measured: rates.size,
  };
}

/**
 * The line a suite or sweep prints before training: "suite paper: 8 runs,
 * up to about 11 h 20 min in all on native"; "3 of 8 runs left" when some
 * finished before. Nothing is measured when no run is left.
 */
export async function describeRuns(
  what: string,
  runs: readonly PlannedRun[],
  total: number,
): Promise<string | undefined> {
  if (!runs.length) return undefined;
  const e = await estimateRuns(runs);
  const count = runs.length === total
    ? `${total} run${total === 1 ? "" : "s"}`
    : `${runs.length} of ${total} runs left`;
  return `${what}: ${count}, ${e.upTo ? "up to " : ""}${formatDuration(e.seconds)} in all ` +
    `on ${e.backends.join(" and ")}`;
}

/**
 * The runs among `members` (run directories and their experiments) that
 * have not finished (no summary.json), each with where it stands.
 */
export async function pendingRuns(
  members: readonly { readonly dir: string; readonly exp: Experiment }[],
): Promise<PlannedRun[]> {
  const runs: PlannedRun[] = [];
  for (const { dir, exp } of members) {
    const finished = await Deno.stat(`${dir}/${RUN_FILES.summary}`).then(() => true, () => false);
    if (!finished) runs.push({ exp, done: await runProgress(dir) });
  }
  return runs;
}

/**
 * Logs {@linkcode describeRuns}'s line for the members not finished. An
 * estimate that cannot be made (a backend this process may not load, a
 * plugin file it may not read) is said in one line, and training goes on:
 * each run fails or succeeds on its own.
 */
export async function logEstimate(
  what: string,
  members: readonly { readonly dir: string; readonly exp: Experiment }[],
  log: (line: string) => void,
): Promise<void> {
  try {
    const line = await describeRuns(what, await pendingRuns(members), members.length);
    if (line) log(line);
  } catch (e) {
    log(`${what}: no estimate (${(e as Error).message.split("\n")[0]})`);
  }
}
