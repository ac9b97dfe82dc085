/**
 * A complete custom probe: records how far training accuracy runs ahead of
 * validation accuracy after each epoch, and logs a warning past a threshold.
 *
 *   deno task train resnet18 --plugin ./examples/custom_probe.ts
 *
 * or in an experiment YAML: `plugins: [{ path: ./custom_probe.ts, options: { warn_above: 0.1 } }]`
 * @module
 */
import { z } from "zod";
import { definePlugin } from "@skiplab/skiplab";

export default definePlugin({
  name: "probes/overfit-gap",
  description: "Records acc - val_acc per epoch and warns when it exceeds warn_above",
  schema: z.object({ warn_above: z.number().min(0).max(1).default(0.15) }).strict(),
  create: ({ warn_above }) => ({
    name: "probes/overfit-gap",
    onEpochEnd(m, ctx) {
      const gap = m.acc - m.val_acc;
      ctx.record("overfit_gap", { epoch: m.epoch, acc: m.acc, val_acc: m.val_acc, gap });
      if (gap > warn_above) {
        ctx.log(`overfit gap ${gap.toFixed(3)} > ${warn_above} at epoch ${ctx.epoch + 1}`);
      }
    },
  }),
});
