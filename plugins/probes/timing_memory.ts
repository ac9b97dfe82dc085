/**
 * `probes/timing-memory`: time, throughput and memory of each epoch.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { z } from "zod";
import { definePlugin, type PluginFactory } from "../plugin.ts";
import { parseState } from "../_state.ts";

const NAME = "probes/timing-memory";

/** Options of {@linkcode timingMemory}: there are none, so only `{}` is valid. */
export type TimingMemoryOptions = Record<string, never>;

const schema = z.strictObject({});

const stateSchema = z.object({ peak_bytes: z.number().min(0), peak_rss: z.number().min(0) })
  .strict();

/**
 * Records one `timing` row per epoch: `seconds` (start of the first step to
 * end of validation), `images`, `images_per_sec` (training steps only: the
 * time between the ends of the first and the last step of the epoch), tfjs
 * `num_tensors` and `num_bytes` at the end of the epoch, process `rss_bytes`,
 * and the peaks of tfjs bytes and RSS seen at the end of any step of the run
 * so far. It observes step ends and leaves batches alone.
 *
 * @example
 * ```ts
 * import { timingMemory } from "./timing_memory.ts";
 * const plugin = timingMemory.create(timingMemory.schema.parse({}));
 * console.log(plugin.name); // probes/timing-memory
 * ```
 */
export const timingMemory: PluginFactory<TimingMemoryOptions> = definePlugin({
  name: NAME,
  description: "Records seconds per epoch, images per second, tfjs memory and process RSS",
  schema,
  create() {
    let start: number | undefined; // when the epoch's first step began
    let firstEnd = 0; // when it ended
    let firstSize = 0;
    let lastEnd = 0; // when the latest step ended
    let images = 0;
    let peakBytes = 0;
    let peakRss = 0;

    function sample(): { numTensors: number; numBytes: number; rss: number } {
      const m = tf.memory();
      const rss = Deno.memoryUsage().rss;
      peakBytes = Math.max(peakBytes, m.numBytes);
      peakRss = Math.max(peakRss, rss);
      return { numTensors: m.numTensors, numBytes: m.numBytes, rss };
    }

    return {
      name: NAME,
      onStepEnd(step) {
        const now = performance.now();
        if (start === undefined) {
          start = now - step.stepSeconds * 1000;
          firstEnd = now;
          firstSize = step.images;
        }
        lastEnd = now;
        images += step.images;
        sample();
      },
      onEpochEnd(metrics, ctx) {
        const now = performance.now();
        const m = sample();
        const began = start ?? now;
        // Steps 2..n end between the first and the last step end; with one step, use that step.
        const several = lastEnd > firstEnd;
        const trainImages = several ? images - firstSize : images;
        const trainMs = several ? lastEnd - firstEnd : firstEnd - began;
        ctx.record("timing", {
          epoch: metrics.epoch,
          seconds: (now - began) / 1000,
          images,
          images_per_sec: trainMs > 0 ? trainImages / (trainMs / 1000) : 0,
          num_tensors: m.numTensors,
          num_bytes: m.numBytes,
          rss_bytes: m.rss,
          peak_num_bytes: peakBytes,
          peak_rss_bytes: peakRss,
        });
        start = undefined;
        images = 0;
      },
      getState: () => ({ peak_bytes: peakBytes, peak_rss: peakRss }),
      setState(state) {
        const s = parseState(NAME, stateSchema, state);
        peakBytes = s.peak_bytes;
        peakRss = s.peak_rss;
      },
    };
  },
});
