/**
 * `callbacks/terminate-on-nan`: stops a run whose loss has diverged.
 * @module
 */
import { z } from "zod";
import { definePlugin, type PluginFactory } from "../plugin.ts";
import { epochLabel, readMetric } from "./_monitor.ts";

const NAME = "callbacks/terminate-on-nan";

/** Options of {@linkcode terminateOnNan}, validated. */
export interface TerminateOnNanOptions {
  /** Metrics that must stay finite (at least one name). @default ["loss", "val_loss"] */
  readonly metrics: readonly string[];
}

const schema = z.strictObject({
  metrics: z.array(z.string().min(1)).min(1).default(["loss", "val_loss"]),
});

/**
 * Requests a stop after an epoch whose loss or validation loss (or any metric
 * listed in `metrics`) is NaN or infinite; the reason names the metric and
 * the epoch.
 *
 * @example
 * ```ts
 * import { terminateOnNan } from "./terminate_on_nan.ts";
 * const plugin = terminateOnNan.create(terminateOnNan.schema.parse({}));
 * console.log(plugin.name); // callbacks/terminate-on-nan
 * ```
 */
export const terminateOnNan: PluginFactory<TerminateOnNanOptions> = definePlugin({
  name: NAME,
  description: "Stops training when the loss or validation loss is NaN or infinite",
  schema,
  create(o) {
    return {
      name: NAME,
      onEpochEnd(metrics, ctx) {
        const bad = o.metrics
          .map((m) => [m, readMetric(NAME, m, metrics)] as const)
          .filter(([, v]) => !Number.isFinite(v));
        if (bad.length === 0) return;
        const what = bad.map(([m, v]) => `${m} is ${v}`).join(" and ");
        ctx.requestStop(`${NAME}: ${what} after ${epochLabel(ctx)}`);
      },
    };
  },
});
