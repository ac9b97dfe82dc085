/**
 * `callbacks/reduce-lr-on-plateau`: lowers the learning rate when a metric
 * stops improving, with the semantics of Keras' `ReduceLROnPlateau`.
 * @module
 */
import { z } from "zod";
import { definePlugin, type PluginFactory } from "../plugin.ts";
import {
  encodeBest,
  epochLabel,
  improves,
  modeOption,
  monitorOption,
  parseState,
  readMetric,
  resolveMode,
  worst,
} from "./_monitor.ts";

const NAME = "callbacks/reduce-lr-on-plateau";

/** Options of {@linkcode reduceLrOnPlateau}, validated. */
export interface ReduceLrOnPlateauOptions {
  /** Metric to watch, e.g. `val_loss` or `val_acc`. @default "val_loss" */
  readonly monitor: string;
  /** Direction of improvement; `auto` is `max` for accuracies, else `min`. @default "auto" */
  readonly mode: "min" | "max" | "auto";
  /** Multiplies the learning rate, in (0, 1) (paper: 0.2). @default 0.1 */
  readonly factor: number;
  /** Stalled epochs before lowering (an integer ≥ 0; paper: 3). @default 10 */
  readonly patience: number;
  /** Smallest change that counts as an improvement (≥ 0). @default 1e-4 */
  readonly min_delta: number;
  /** Epochs to wait after a reduction before counting stalls again (an integer ≥ 0). @default 0 */
  readonly cooldown: number;
  /** The learning rate never goes below this (≥ 0). @default 0 */
  readonly min_lr: number;
}

const schema = z.strictObject({
  monitor: monitorOption,
  mode: modeOption,
  factor: z.number().gt(0).lt(1).default(0.1),
  patience: z.number().int().min(0).default(10),
  min_delta: z.number().min(0).default(1e-4),
  cooldown: z.number().int().min(0).default(0),
  min_lr: z.number().min(0).default(0),
});

const stateSchema = z.object({
  best: z.number().nullable(),
  wait: z.number().int().min(0),
  cooldown_counter: z.number().int().min(0),
}).strict();

/**
 * Multiplies the learning rate by `factor` once `monitor` has not improved by
 * more than `min_delta` for `patience` epochs, then waits `cooldown` epochs;
 * never below `min_lr`. Defaults are Keras'; the paper uses factor 0.2,
 * patience 3 on `val_loss`. Its counters are saved in checkpoints.
 *
 * @example The paper's setting
 * ```ts
 * import { reduceLrOnPlateau } from "./reduce_lr_on_plateau.ts";
 * const options = reduceLrOnPlateau.schema.parse({ factor: 0.2, patience: 3 });
 * const plugin = reduceLrOnPlateau.create(options);
 * console.log(plugin.name); // callbacks/reduce-lr-on-plateau
 * ```
 */
export const reduceLrOnPlateau: PluginFactory<ReduceLrOnPlateauOptions> = definePlugin({
  name: NAME,
  description: "Lowers the learning rate when a metric stops improving (Keras ReduceLROnPlateau)",
  schema,
  create(o) {
    const mode = resolveMode(o.monitor, o.mode);
    let best = worst(mode);
    let wait = 0;
    let cooldownCounter = 0;
    return {
      name: NAME,
      onEpochEnd(metrics, ctx) {
        const current = readMetric(NAME, o.monitor, metrics);
        if (cooldownCounter > 0) {
          cooldownCounter--;
          wait = 0;
        }
        if (improves(current, best, mode, o.min_delta)) {
          best = current;
          wait = 0;
        } else if (cooldownCounter === 0) {
          wait++;
          if (wait >= o.patience) {
            const old = ctx.learningRate;
            if (old > o.min_lr) {
              const lr = Math.max(old * o.factor, o.min_lr);
              ctx.setLearningRate(lr);
              ctx.log(
                `${NAME}: ${epochLabel(ctx)}: ${o.monitor} has not improved for ${wait} epochs; ` +
                  `learning rate ${old} -> ${lr}`,
              );
              cooldownCounter = o.cooldown;
              wait = 0;
            }
          }
        }
      },
      getState: () => ({ best: encodeBest(best), wait, cooldown_counter: cooldownCounter }),
      setState(state) {
        const s = parseState(NAME, stateSchema, state);
        best = s.best ?? worst(mode);
        wait = s.wait;
        cooldownCounter = s.cooldown_counter;
      },
    };
  },
});
