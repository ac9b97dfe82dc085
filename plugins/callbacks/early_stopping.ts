/**
 * `callbacks/early-stopping`: stops training when a metric stops improving,
 * with the semantics of Keras' `EarlyStopping`.
 * @module
 */
import { z } from "zod";
import { epochNumber } from "../../rundir/epochs.ts";
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

const NAME = "callbacks/early-stopping";

/** Weight slot holding the best weights seen so far. */
export const EARLY_STOPPING_SLOT = "early-stopping";

/** Options of {@linkcode earlyStopping}, validated. */
export interface EarlyStoppingOptions {
  /** Metric to watch, e.g. `val_loss` or `val_acc`. @default "val_loss" */
  readonly monitor: string;
  /** Direction of improvement; `auto` is `max` for accuracies, else `min`. @default "auto" */
  readonly mode: "min" | "max" | "auto";
  /** Epochs without improvement before stopping (an integer ≥ 0; paper: 7). @default 0 */
  readonly patience: number;
  /** Smallest change that counts as an improvement (≥ 0). @default 0 */
  readonly min_delta: number;
  /** On stopping, restore the weights of the best epoch (paper: true). @default false */
  readonly restore_best: boolean;
}

const schema = z.strictObject({
  monitor: monitorOption,
  mode: modeOption,
  patience: z.number().int().min(0).default(0),
  min_delta: z.number().min(0).default(0),
  restore_best: z.boolean().default(false),
});

const stateSchema = z.object({
  best: z.number().nullable(),
  best_epoch: z.number().int(),
  wait: z.number().int().min(0),
  saved: z.boolean(),
}).strict();

/**
 * Requests a stop once `monitor` has not improved by more than `min_delta`
 * for `patience` epochs. With `restore_best`, it snapshots the weights into
 * the `early-stopping` slot at each improvement and restores them on stopping.
 * Defaults are Keras'; the paper uses patience 7 and restores the best weights.
 *
 * @example The paper's setting
 * ```ts
 * import { earlyStopping } from "./early_stopping.ts";
 * const plugin = earlyStopping.create(
 *   earlyStopping.schema.parse({ patience: 7, restore_best: true }),
 * );
 * console.log(plugin.name); // callbacks/early-stopping
 * ```
 */
export const earlyStopping: PluginFactory<EarlyStoppingOptions> = definePlugin({
  name: NAME,
  description: "Stops training when a metric stops improving (Keras EarlyStopping)",
  schema,
  create(o) {
    const mode = resolveMode(o.monitor, o.mode);
    let best = worst(mode);
    let bestEpoch = -1;
    let wait = 0;
    let saved = false;
    return {
      name: NAME,
      onEpochEnd(metrics, ctx) {
        const current = readMetric(NAME, o.monitor, metrics);
        wait++;
        if (improves(current, best, mode, o.min_delta)) {
          best = current;
          bestEpoch = ctx.epoch;
          wait = 0;
          if (o.restore_best) {
            ctx.saveWeights(EARLY_STOPPING_SLOT);
            saved = true;
          }
          return;
        }
        if (wait < o.patience || ctx.epoch === 0) return;
        let reason = `${NAME}: ${o.monitor} has not improved for ${wait} epochs ` +
          `(stopped after ${epochLabel(ctx)}`;
        if (bestEpoch >= 0) reason += `; best ${best} at epoch ${epochNumber(bestEpoch)}`;
        reason += ")";
        if (o.restore_best && saved) {
          ctx.restoreWeights(EARLY_STOPPING_SLOT);
          reason += `; restored the weights of epoch ${epochNumber(bestEpoch)}`;
        }
        ctx.requestStop(reason);
      },
      getState: () => ({ best: encodeBest(best), best_epoch: bestEpoch, wait, saved }),
      setState(state) {
        const s = parseState(NAME, stateSchema, state);
        best = s.best ?? worst(mode);
        bestEpoch = s.best_epoch;
        wait = s.wait;
        saved = s.saved;
      },
    };
  },
});
