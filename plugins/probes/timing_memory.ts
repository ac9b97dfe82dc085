/**
 * `probes/timing-memory`: time, throughput and memory of each epoch.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { z } from "zod";
import { definePlugin, type PluginFactory } from "../plugin.ts";
import { parseState } from "../_state.ts";
import { openProcessPeak, type ProcessPeak } from "./_process_peak.ts";

const NAME = "probes/timing-memory";

/** Options of {@linkcode timingMemory}: there are none, so only `{}` is valid. */
export type TimingMemoryOptions = Record<string, never>;

const schema = z.strictObject({});

const stateSchema = z.object({ peak_bytes: z.number().min(0), peak_rss: z.number().min(0) })
  .strict();

/**
 * Records one `timing` row per epoch: `seconds` (start of the first step to
 * end of validation), `images`, `images_per_sec` (training steps only: the
 * time between the ends of the first and the last step of the epoch), and
 * memory in separate columns:
 *
 * - `num_tensors`, `num_bytes`: the tensors the tfjs engine holds at the end
 *   of the epoch (`tf.memory()`: every backend's tensors, by dtype and size;
 *   the native backend reports no separate count of its C buffers), and
 *   `peak_num_bytes`, their most at any step end of the run so far;
 * - `rss_bytes`: the process's resident set at the end of the epoch, and
 *   `peak_rss_bytes`, the most sampled at a step end of this run (the
 *   run's own, but a sample: it misses the peak inside forward and backward);
 * - `process_peak_rss_bytes`: the process's true peak so far, the kernel's
 *   high-water mark (getrusage's ru_maxrss through FFI, or VmHWM), raised to
 *   any RSS sampled here (the kernel's counters lag by a few hundred KB). In
 *   a suite every member runs in one process, so this includes earlier
 *   members; `process_peak_increase_bytes` is how much this run raised it
 *   over its value when the run started (0 when an earlier member peaked
 *   higher; a resumed run counts from its resume). Both are empty where neither source is permitted (a task without
 *   `--allow-ffi` or `--allow-all`); the probe logs why once.
 *
 * It observes step ends and leaves batches alone.
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
  description:
    "Records seconds per epoch, images per second, tfjs memory, process RSS and the process peak",
  schema,
  create() {
    let start: number | undefined; // when the epoch's first step began
    let firstEnd = 0; // when it ended
    let firstSize = 0;
    let lastEnd = 0; // when the latest step ended
    let images = 0;
    let peakBytes = 0;
    let peakRss = 0;
    let processPeak: ProcessPeak | undefined;
    let sampledHere = 0; // the most RSS sampled in this process (peakRss survives a resume)
    let startPeak: number | null = null; // the process peak when this process began the run

    function sample(): { numTensors: number; numBytes: number; rss: number } {
      const m = tf.memory();
      const rss = Deno.memoryUsage().rss;
      peakBytes = Math.max(peakBytes, m.numBytes);
      peakRss = Math.max(peakRss, rss);
      sampledHere = Math.max(sampledHere, rss);
      return { numTensors: m.numTensors, numBytes: m.numBytes, rss };
    }

    /** The process peak: the kernel's high-water mark, never below what was sampled. */
    function processPeakNow(rss: number): number | null {
      const kernel = processPeak?.read() ?? null;
      return kernel === null ? null : Math.max(kernel, rss, sampledHere);
    }

    return {
      name: NAME,
      setup(ctx) {
        processPeak = openProcessPeak();
        if (processPeak.source === "none") ctx.log(`${NAME}: ${processPeak.note}`);
        // A resumed run is a new process: its increase counts from the resume.
        startPeak = processPeakNow(Deno.memoryUsage().rss);
      },
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
        const peak = processPeakNow(m.rss);
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
          process_peak_rss_bytes: peak ?? "",
          process_peak_increase_bytes: peak === null || startPeak === null ? "" : peak - startPeak,
        });
        start = undefined;
        images = 0;
      },
      teardown() {
        processPeak?.close();
        processPeak = undefined;
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
