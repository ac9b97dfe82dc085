/**
 * `callbacks/model-checkpoint`: keeps the best weights and writes the `best`
 * and `last` checkpoints of the run directory.
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

const schema: z.ZodObject<
  {
    monitor: z.ZodDefault<z.ZodString>;
    mode: z.ZodDefault<z.ZodEnum<{ min: "min"; max: "max"; auto: "auto" }>>;
    save_best: z.ZodDefault<z.ZodBoolean>;
    save_last: z.ZodDefault<z.ZodBoolean>;
  },
  z.core.$strict
> = z.object({
  /** Metric that decides which epoch is best. @default "val_loss" */
  monitor: monitorOption,
  /** Direction of improvement; `auto` is `max` for accuracies. @default "auto" */
  mode: modeOption,
  /** On improvement, snapshot the weights into slot `best` and write `checkpoints/best`. @default true */
  save_best: z.boolean().default(true),
  /** After every epoch, write `checkpoints/last` (used by `--resume`). @default true */
  save_last: z.boolean().default(true),
}).strict();

const stateSchema = z.object({ best: z.number().nullable() }).strict();

/** Options of {@linkcode modelCheckpoint}. */
export type ModelCheckpointOptions = z.input<typeof schema>;

/**
 * When `monitor` improves, saves the weights into the `best` slot (the trainer
 * restores it before the final test evaluation) and writes `checkpoints/best`;
 * after every epoch writes `checkpoints/last`.
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
export const modelCheckpoint: PluginFactory<typeof schema> = definePlugin({
  name: NAME,
  description: "Keeps the best weights and writes the best and last checkpoints",
  schema,
  create(o) {
    const mode = resolveMode(o.monitor, o.mode);
    let best = worst(mode);
    return {
      name: NAME,
      async onEpochEnd(metrics, ctx) {
        if (o.save_best) {
          const current = readMetric(NAME, o.monitor, metrics);
          if (improves(current, best, mode, 0)) {
            ctx.log(
              `${NAME}: ${epochLabel(ctx)}: ${o.monitor} improved ${best.toPrecision(4)} -> ` +
                `${current.toPrecision(4)}, saved checkpoints/best`,
            );
            best = current;
            ctx.saveWeights("best");
            await ctx.checkpoint("best");
          }
        }
        if (o.save_last) await ctx.checkpoint("last");
      },
      getState: () => ({ best: encodeBest(best) }),
      setState(state) {
        best = parseState(NAME, stateSchema, state).best ?? worst(mode);
      },
    };
  },
});
