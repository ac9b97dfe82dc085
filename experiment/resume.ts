/**
 * `train --resume DIR`: the experiment a run continues with, checked before
 * any data is read. The run continues exactly as its `config.yaml` says, so a
 * flag that would change it is refused, naming the flag; only `--epochs` may
 * extend it. The checkpoint is read and checked first, so a damaged one fails
 * with its file and field, not half-way into the run.
 * @module
 */
import { renderReport } from "../analysis/mod.ts";
import { recoverCheckpoints } from "../train/checkpoint.ts";
import { checkpointDir, readCheckpointManifest, runPath } from "../rundir/mod.ts";
import { ConfigError, dotted, type Experiment, loadExperiment } from "./load.ts";
import {
  flagOfPath,
  overridesFromSettings,
  pathOfSetting,
  settingsRefusedOnResume,
  type SettingValues,
} from "./overrides.ts";

const exists = (p: string) => Deno.stat(p).then(() => true, () => false);

/** What {@linkcode experimentToResume} found. */
export interface Resumption {
  /** The experiment, from the run's config.yaml (and `--epochs`). */
  readonly experiment: Experiment;
  /**
   * Whether `checkpoints/last` exists. Without it the run stopped before its
   * first checkpoint, and continuing it exactly means starting it again.
   */
  readonly fromCheckpoint: boolean;
  /**
   * Set when the run had already finished and no `--epochs` extends it: what to
   * tell the user. Resuming it again is then a no-op that succeeds, so a job
   * system that restarts a job whose run finished just before it was killed
   * (Slurm requeue, a Kubernetes restart, a queue retry) does no harm.
   */
  readonly finished?: string;
  /**
   * Set with `finished` when a kill cut the run short after its summary.json
   * but before its report (report.md is written last): resuming renders it.
   */
  readonly unreported?: boolean;
}

/**
 * Renders the report (classes.csv, figures/, report.md) of a finished run
 * whose process was killed after its summary.json but before the report
 * was whole; `print` prints it as a finished run does. Returns whether the
 * report was missing.
 */
export async function completeReport(dir: string, print = true): Promise<boolean> {
  if (!await exists(runPath(dir, "summary")) || await exists(runPath(dir, "report"))) return false;
  const report = await renderReport(dir);
  if (print) console.log(report.text);
  return true;
}

/**
 * The experiment to resume the run in `dir` with, after checking that the
 * flags keep it exact and that `checkpoints/last` can be resumed from.
 *
 * @throws {ConfigError} for a refused flag (named, with the run's value) or an
 *   `--epochs` that cannot extend the run.
 * @throws {CheckpointError} for a missing or damaged checkpoint (file and field).
 */
export async function experimentToResume(dir: string, values: SettingValues): Promise<Resumption> {
  if (!await exists(runPath(dir, "config"))) {
    throw new ConfigError(`--resume ${dir}: not a run directory (it has no config.yaml)`);
  }
  const saved = await loadExperiment(runPath(dir, "config"));
  const refused = settingsRefusedOnResume(values);
  if (refused.length) {
    const what = refused.map((f) => {
      const path = pathOfSetting(f);
      let v: unknown = saved;
      for (const k of path) v = (v as Record<string, unknown> | undefined)?.[k];
      return `--${f} (the run's ${dotted(path)} is ${JSON.stringify(v ?? null)})`;
    });
    throw new ConfigError(
      `--resume ${dir}: ${what.join(", ")} cannot be given: a resumed run continues exactly as ` +
        `its config.yaml says, so only --epochs may be given, to extend it`,
    );
  }
  const finished = await exists(runPath(dir, "summary"));
  // A checkpoint swap a kill cut short is finished first, or `last` would look missing.
  await recoverCheckpoints(dir);
  if (!await exists(checkpointDir(dir, "last"))) {
    if (finished) {
      throw new ConfigError(`--resume ${dir}: the run finished and has no checkpoints/last`);
    }
    return { experiment: saved, fromCheckpoint: false };
  }
  const { state } = await readCheckpointManifest(checkpointDir(dir, "last"));
  if (saved.iterations !== null) {
    return await iterationRun(dir, saved, values, finished, state.stopReason);
  }
  const exp = values.epochs === undefined
    ? saved
    : await loadExperiment(runPath(dir, "config"), overridesFromSettings(values), flagOfPath);
  const extended = exp.epochs !== saved.epochs;
  if (exp.epochs < state.epoch) {
    throw new ConfigError(
      `--epochs ${exp.epochs}: the run in ${dir} has already trained ${state.epoch} epochs`,
    );
  }
  if (extended && saved.schedule.type !== "constant") {
    throw new ConfigError(
      `--epochs ${exp.epochs}: the '${saved.schedule.type}' learning-rate schedule of ${dir} ` +
        `spans its ${saved.epochs} epochs; changing them would change the rate of the steps ` +
        `left, so the run cannot continue exactly`,
    );
  }
  if (extended && state.stopReason !== undefined) {
    throw new ConfigError(
      `--epochs ${exp.epochs}: the run in ${dir} stopped early (${state.stopReason}), ` +
        `so more epochs would train nothing`,
    );
  }
  if (!extended && finished) {
    return {
      experiment: exp,
      fromCheckpoint: true,
      unreported: !await exists(runPath(dir, "report")),
      finished: `${dir}: nothing to resume, the run finished after ${state.epoch} epochs` +
        (state.stopReason === undefined
          ? `; give --epochs N (more than ${state.epoch}) to train it further`
          : ` (${state.stopReason})`),
    };
  }
  return { experiment: exp, fromCheckpoint: true };
}

/**
 * A run counted in iterations (`iterations:`, He et al.'s recipe): its
 * `epochs` is not used, so it neither limits the resume nor can extend it.
 */
async function iterationRun(
  dir: string,
  saved: Experiment,
  values: SettingValues,
  finished: boolean,
  stopReason: string | undefined,
): Promise<Resumption> {
  if (values.epochs !== undefined) {
    throw new ConfigError(
      `--epochs ${values.epochs}: the run in ${dir} is counted in iterations (its iterations ` +
        `is ${saved.iterations}, budget ${saved.budget}), which set its length; --epochs ` +
        `cannot extend it`,
    );
  }
  if (!finished) return { experiment: saved, fromCheckpoint: true };
  return {
    experiment: saved,
    fromCheckpoint: true,
    unreported: !await exists(runPath(dir, "report")),
    finished: `${dir}: nothing to resume, the run finished ` +
      (stopReason === undefined ? "its iterations" : `(${stopReason})`),
  };
}
