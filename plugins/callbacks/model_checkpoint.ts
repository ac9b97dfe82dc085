/**
 * `callbacks/model-checkpoint`: the one place that decides when the `best`
 * and `last` checkpoints of the run directory are written.
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

const NAME = "callbacks/model-checkpoint";

/** Options of {@linkcode modelCheckpoint}, validated. */
export interface ModelCheckpointOptions {
  /** Metric that decides which epoch is best. @default "val_loss" */
  readonly monitor: string;
  /** Direction of improvement; `auto` is `max` for accuracies, else `min`. @default "auto" */
  readonly mode: "min" | "max" | "auto";
  /** On improvement, snapshot the weights into slot `best` and write `checkpoints/best`. @default true */
  readonly save_best: boolean;
  /** After every epoch and when interrupted, write `checkpoints/last` (what `--resume` reads); false writes none. @default true */
  readonly save_last: boolean;
}

const schema = z.strictObject({
  monitor: monitorOption,
  mode: modeOption,
  save_best: z.boolean().default(true),
  save_last: z.boolean().default(true),
});

const stateSchema = z.object({ best: z.number().nullable() }).strict();

/**
 * When `monitor` improves, saves the weights into the `best` slot (the trainer
 * restores it before the final test evaluation) and asks for
 * `checkpoints/best`; with `save_last`, asks for `checkpoints/last` after
 * every epoch and when the run is interrupted mid-epoch, so `--resume`
 * continues from the last step. The trainer writes what is asked once every
 * callback of the epoch has run, and logs each checkpoint it saved. No
 * other part of skiplab writes checkpoints.
 *
 * @example Best by validation accuracy, no `last` checkpoint
 * ```ts
 * import { modelCheckpoint } from "./model_checkpoint.ts";
 * const plugin = modelCheckpoint.create(
 *   modelCheckpoint.schema.parse({ monitor: "val_acc", save_last: false }),
 * );
 * console.log(plugin.name); // callbacks/model-checkpoint
 * ```
 */
export const modelCheckpoint: PluginFactory<ModelCheckpointOptions> = definePlugin({
  name: NAME,
  description: "Keeps the best weights and writes the best and last checkpoints",
  schema,
  create(o) {
    const mode = resolveMode(o.monitor, o.mode);
    let best = worst(mode);
    return {
      name: NAME,
      onEpochEnd(metrics, ctx) {
        if (o.save_best) {
          const current = readMetric(NAME, o.monitor, metrics);
          if (improves(current, best, mode, 0)) {
            ctx.log(
              `${NAME}: ${epochLabel(ctx)}: ${o.monitor} improved ${best.toPrecision(4)} -> ` +
                `${current.toPrecision(4)}`,
            );
            best = current;
            ctx.saveWeights("best");
            ctx.checkpoint("best");
          }
        }
        if (o.save_last) ctx.checkpoint("last");
      },
      onStop(stop, ctx) {
        if (o.save_last && stop.interrupted) ctx.checkpoint("last");
      },
      getState: () => ({ best: encodeBest(best) }),
      setState(state) {
        best = parseState(NAME, stateSchema, state).best ?? worst(mode);
      },
    };
  },
});
