/** A learning-rate schedule over training, set per step. */
export type ScheduleConfig =
  | { readonly type: "constant" }
  | {
    readonly type: "cosine"; /** Final lr as a fraction of the base. @default 0 */
    readonly minFactor?: number;
  }
  | {
    readonly type: "step"; /** Epochs between drops. */
    readonly every: number; /** @default 0.1 */
    readonly gamma?: number;
  }
  | {
    /** Multiplies by `gamma` at each milestone: a count of training steps (iterations). */
    readonly type: "multistep";
    /** Steps after which the rate drops, ascending (He et al.: 32,000 and 48,000). */
    readonly milestones: readonly number[]; /** @default 0.1 */
    readonly gamma?: number;
    /**
     * A constant rate for the first steps before the schedule starts (He et
     * al. 2016 train ResNet-110 at 0.01 for about 400 iterations, then 0.1).
     */
    readonly warmup?: { readonly iterations: number; readonly lr: number };
  }
  | {
    readonly type: "one-cycle"; /** Peak lr as a multiple of the base. @default 10 */
    readonly peakFactor?: number; /** Fraction of steps spent rising. @default 0.3 */
    readonly warmup?: number;
  };

/**
 * The learning rate at a point of training, for a base rate and a schedule.
 * `progress` runs from 0 (first step) to 1 (end of the last epoch);
 * `iteration` is the zero-based index of the step about to be taken, so a
 * `multistep` milestone of 32,000 gives the 32,001st step the lower rate.
 *
 * @example Cosine decay halves the rate half-way
 * ```ts
 * import { scheduledRate } from "./schedule.ts";
 * console.log(scheduledRate({ type: "cosine" }, 1e-3, 0.5, 15)); // 0.0005
 * ```
 */
export function scheduledRate(
  schedule: ScheduleConfig,
  base: number,
  progress: number,
  epoch: number,
  iteration = 0,
): number {
  const p = Math.min(1, Math.max(0, progress));
  switch (schedule.type) {
    case "constant":
      return base;
    case "cosine": {
      const min = base * (schedule.minFactor ?? 0);
      return min + (base - min) * 0.5 * (1 + Math.cos(Math.PI * p));
    }
    case "step":
      return base * (schedule.gamma ?? 0.1) ** Math.floor(epoch / schedule.every);
    case "multistep": {
      if (schedule.warmup && iteration < schedule.warmup.iterations) return schedule.warmup.lr;
      const passed = schedule.milestones.filter((m) => iteration >= m).length;
      return base * (schedule.gamma ?? 0.1) ** passed;
    }
    case "one-cycle": {
      const peak = base * (schedule.peakFactor ?? 10);
      const warm = schedule.warmup ?? 0.3;
      if (p < warm) return base + (peak - base) * (p / warm);
      const q = (p - warm) / (1 - warm);
      return base / 100 + (peak - base / 100) * 0.5 * (1 + Math.cos(Math.PI * q));
    }
  }
}
