/**
 * `--budget X`: a recipe counted in iterations, shortened in proportion, so
 * a 64,000-iteration recipe at budget 0.01 stops at 640 with its rate drops
 * at 320 and 480 — the same schedule, compressed, not a truncated one.
 * @module
 */
import type { Experiment } from "./schema.ts";

/** What the trainer runs for an experiment after its budget is applied. */
export interface IterationPlan {
  /** Steps in all, or undefined for an epoch-based recipe. */
  readonly iterations: number | undefined;
  /** Steps between validation points of the curve, or undefined for none. */
  readonly evalEvery: number | undefined;
  /** The schedule, milestones scaled. */
  readonly schedule: Experiment["schedule"];
}

const scale = (n: number, budget: number) => Math.max(1, Math.round(n * budget));

/**
 * Applies `exp.budget` to the iteration counts of an experiment: `iterations`,
 * `eval_every` and a `multistep` schedule's milestones and warm-up, each rounded to a
 * whole step (at least 1). Milestones that scaled onto one step stay distinct
 * drops in order. The experiment itself (and its config.yaml) keeps the
 * unscaled numbers and the budget, so a resumed run scales them once again
 * identically.
 *
 * @example
 * ```ts
 * import { iterationPlan } from "./budget.ts";
 * import { validateExperiment } from "./load.ts";
 * const exp = await validateExperiment({
 *   name: "he", model: "resnet20", iterations: 64000, budget: 0.01,
 *   schedule: { type: "multistep", milestones: [32000, 48000] },
 * });
 * const plan = iterationPlan(exp);
 * console.log(plan.iterations, plan.schedule.type === "multistep" && plan.schedule.milestones);
 * // 640 [ 320, 480 ]
 * ```
 */
export function iterationPlan(exp: Experiment): IterationPlan {
  const b = exp.budget;
  const schedule = exp.schedule.type === "multistep"
    ? {
      ...exp.schedule,
      milestones: exp.schedule.milestones.map((m) => scale(m, b)),
      ...(exp.schedule.warmup
        ? {
          warmup: { ...exp.schedule.warmup, iterations: scale(exp.schedule.warmup.iterations, b) },
        }
        : {}),
    }
    : exp.schedule;
  return {
    iterations: exp.iterations === null ? undefined : scale(exp.iterations, b),
    evalEvery: exp.eval_every === null ? undefined : scale(exp.eval_every, b),
    schedule,
  };
}
