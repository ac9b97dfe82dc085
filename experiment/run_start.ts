/**
 * The run-start facts of an experiment about to train (rundir/run_start.ts):
 * what a viewer shows before the first step ends.
 * @module
 */
import type { ModelSpec, ModelSummary } from "../models/mod.ts";
import { defaultLogEvery, type RunStart } from "../rundir/mod.ts";
import type { IterationPlan } from "./budget.ts";
import type { Experiment } from "./schema.ts";

/** What {@linkcode runStart} needs besides the experiment. */
export interface RunStartSources {
  /** The architecture as built (ablations applied). */
  readonly spec: ModelSpec;
  /** Its size. */
  readonly size: ModelSummary;
  /** The backend selected. */
  readonly backend: string;
  /** Iterations and schedule after the budget. */
  readonly plan: IterationPlan;
  /** The data: only the training split's size is read. */
  readonly splits: { readonly train: { readonly count: number } };
}

/**
 * The run-start document (no estimate yet) and the steps per row of
 * steps.csv: the experiment's `log_every`, or enough rows for 50 per epoch.
 */
export function runStart(
  exp: Experiment,
  s: RunStartSources,
): { start: RunStart; logEvery: number } {
  const stepsPerEpoch = Math.ceil(s.splits.train.count / exp.batch_size);
  const logEvery = exp.log_every ?? defaultLogEvery(stepsPerEpoch);
  const totalSteps = s.plan.iterations ?? exp.epochs * stepsPerEpoch;
  const start: RunStart = {
    started_at: new Date().toISOString(),
    name: exp.name,
    model: exp.model,
    model_built: s.spec.name,
    backend: s.backend,
    params: s.size.totalParams,
    trainable_params: s.size.trainableParams,
    depth: s.size.depth,
    family: s.spec.family,
    skip: s.spec.family === "resnet" && s.spec.skip,
    seed: exp.seed,
    epochs: Math.ceil(totalSteps / stepsPerEpoch),
    steps_per_epoch: stepsPerEpoch,
    total_steps: totalSteps,
    batch_size: exp.batch_size,
    log_every: logEvery,
    estimate: null,
  };
  return { start, logEvery };
}
