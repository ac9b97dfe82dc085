/**
 * The observer that keeps a run's heartbeat.json fresh while its process
 * trains, from a timer (so it beats during validation and the test
 * evaluation too, between batches), and says how the process ended.
 * @module
 */
import { epochNumber, type HeartbeatState, writeHeartbeat } from "../../rundir/mod.ts";
import type { Plugin } from "../hooks.ts";

/**
 * Writes `heartbeat.json` into `dir` at the start, every `intervalSeconds`
 * while the run trains, and at teardown with the way it ended (`ended`,
 * `interrupted`, or `failed` when the run raised). Readers decide from its
 * age whether the run still has a live writer (rundir/status.ts).
 *
 * @example
 * ```ts ignore
 * await train({ ...options, plugins: [heartbeat(dir), ...plugins] });
 * ```
 */
export function heartbeat(dir: string, intervalSeconds = 5): Plugin {
  let timer: ReturnType<typeof setInterval> | undefined;
  let epoch = 0, step = 0, outcome: HeartbeatState | undefined;
  let writing: Promise<void> = Promise.resolve();
  const beat = (state: HeartbeatState) => {
    const at = new Date().toISOString();
    const b = {
      state,
      at,
      interval_s: intervalSeconds,
      epoch: epochNumber(epoch),
      step,
      pid: Deno.pid,
    };
    // One write at a time, in order; a failed beat is retried by the next.
    writing = writing.then(() => writeHeartbeat(dir, b)).catch(() => {});
    return writing;
  };
  return {
    name: "observers/heartbeat",
    async setup(ctx) {
      epoch = ctx.resumedFrom?.epoch ?? 0;
      step = ctx.resumedFrom?.step ?? 0;
      await beat("running");
      const t = setInterval(() => void beat("running"), intervalSeconds * 1000);
      Deno.unrefTimer(t);
      timer = t;
    },
    onStepEnd(_m, ctx) {
      (epoch = ctx.epoch, step = ctx.step + 1);
    },
    onRunEnd(end) {
      outcome = end.stop.interrupted ? "interrupted" : "ended";
    },
    async teardown() {
      clearInterval(timer);
      await beat(outcome ?? "failed");
    },
  };
}
