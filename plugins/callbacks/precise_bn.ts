/**
 * `callbacks/precise-bn`: batch-norm moving statistics re-estimated on the
 * weights each epoch validates (precise BN).
 * @module
 */
import { z } from "zod";
import { definePlugin, type PluginFactory } from "../plugin.ts";
import { batchNormLayers, estimateMoving, readMoving, writeMoving } from "./_batch_statistics.ts";
import { epochLabel } from "./_monitor.ts";

const NAME = "callbacks/precise-bn";

/** The table `report` records, one row per epoch (`precise_bn.csv` in the run directory). */
export const PRECISE_BN_TABLE = "precise_bn";

/** Options of {@linkcode preciseBn}, validated. */
export interface PreciseBnOptions {
  /** Training batches the statistics are averaged over (the first ones, in stored order). @default 40 */
  readonly batches: number;
  /**
   * `report`: validate once more with the re-estimated statistics, record it
   * and put the moving statistics back (the run is unchanged); `apply`: keep
   * the re-estimated statistics, so the validation, the callbacks and the
   * checkpoints see them. @default "report"
   */
  readonly mode: "report" | "apply";
}

const schema = z.strictObject({
  batches: z.int().min(1).default(40),
  mode: z.enum(["report", "apply"]).default("report"),
});

/**
 * Before each epoch's validation, sets every batch-norm layer's moving mean
 * and variance to the plain average of its per-batch statistics over the
 * first `batches` batches of the training split (stored order, no
 * augmentation, the model in inference mode so no dropout mask is drawn), all
 * computed with the weights as they now are.
 *
 * Why: a moving average with momentum 0.9 spans the last ~10 steps, whose
 * weights moved fast at the start of training; with few steps per epoch the
 * validation then normalises with statistics of weights that are no longer
 * there, and its loss jumps from epoch to epoch although the weights do not.
 *
 * With `mode: "report"` (the default) the run is unchanged: the plugin
 * evaluates the validation split with the re-estimated statistics, records
 * `epoch`, `batches`, `val_loss_precise` and `val_acc_precise` in the
 * `precise_bn` table, and puts the moving statistics back. With
 * `mode: "apply"` the re-estimated statistics stay. Weights and the run's
 * random streams are never touched, so a resumed run continues exactly.
 *
 * @example
 * ```ts
 * import { preciseBn } from "./precise_bn.ts";
 * const plugin = preciseBn.create(preciseBn.schema.parse({ batches: 20, mode: "apply" }));
 * console.log(plugin.name); // callbacks/precise-bn
 * ```
 */
export const preciseBn: PluginFactory<PreciseBnOptions> = definePlugin({
  name: NAME,
  description:
    "Re-estimates batch-norm moving statistics on training batches before each validation",
  schema,
  create({ batches, mode }) {
    let told = false;
    return {
      name: NAME,
      async beforeValidation(ctx) {
        const layers = batchNormLayers(ctx.model);
        if (!told) {
          ctx.log(
            layers.length === 0
              ? `${NAME}: the model has no batch-norm layer; nothing to re-estimate`
              : `${NAME}: ${layers.length} batch-norm layers re-estimated on ${batches} ` +
                `training batches before each validation (${mode})`,
          );
          told = true;
        }
        if (layers.length === 0) return;
        const saved = mode === "report" ? readMoving(layers) : undefined;
        try {
          const used = await estimateMoving(ctx.model, layers, ctx.trainingBatches(batches));
          if (saved === undefined) return;
          const val = await ctx.evaluate();
          ctx.log(
            `${NAME}: ${epochLabel(ctx)}: re-estimated statistics give ` +
              `val_loss ${val.loss.toFixed(4)}, val_acc ${val.acc.toFixed(4)}`,
          );
          ctx.record(PRECISE_BN_TABLE, {
            epoch: ctx.epoch,
            batches: used,
            val_loss_precise: val.loss,
            val_acc_precise: val.acc,
          });
        } finally {
          if (saved) writeMoving(layers, saved);
        }
      },
    };
  },
});
