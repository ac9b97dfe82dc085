/**
 * A run's status (training, finished, stopped early, failed, interrupted),
 * decided from its files alone:
 *
 * 1. A fresh heartbeat in state `running` (younger than six beat intervals,
 *    at least 30 s) means a live process is training it, even when an older
 *    summary.json exists (a resumed run extending its epochs).
 * 2. Otherwise summary.json says how the run ended, unless a heartbeat newer
 *    than it says the process went on and did not end (a resumed run that
 *    died): `completed` is finished, a loss that became NaN or
 *    infinite (the trainer's guard or callbacks/terminate-on-nan) is failed,
 *    any other reason (early stopping) is stopped early.
 * 3. A run without heartbeat.json (written before the heartbeat existed) is
 *    training while its newest file is younger than three of its longest
 *    epochs, at least 120 s.
 * 4. Any other run has no live writer: interrupted when it can be resumed
 *    (`checkpoints/last` exists, or its process said so on the way out),
 *    failed otherwise.
 * @module
 */
import { join } from "node:path";
import { type Heartbeat, readHeartbeat } from "./heartbeat.ts";
import { checkpointDir, RUN_FILES } from "./layout.ts";
import type { RunSummary } from "./summary.ts";
import { maxOf } from "../core/extent.ts";

/** The statuses a run can have. */
export type RunStatus = "training" | "finished" | "stopped early" | "failed" | "interrupted";

/** What {@linkcode runStatus} decides from. */
export interface StatusFacts {
  /** summary.json, if present. */
  readonly summary: RunSummary | undefined;
  /** heartbeat.json, if present. */
  readonly heartbeat: Heartbeat | undefined;
  /** Whether `checkpoints/last` exists. */
  readonly resumable: boolean;
  /** Modification time (ms since the epoch) of the run's newest file. */
  readonly newestWrite: number;
  /** Seconds of the longest epoch in history.csv (0 without one). */
  readonly longestEpochSeconds: number;
}

/** A status with the reason it was decided, for display. */
export interface StatusVerdict {
  /** The status. */
  readonly status: RunStatus;
  /** Why, in a few words (the stop reason, or how old the last sign of life is). */
  readonly reason: string;
}

const DIVERGED = /loss became|terminate-on-nan/i;

const age = (ms: number): string =>
  ms < 120_000 ? `${Math.round(ms / 1000)} s` : `${Math.round(ms / 60_000)} min`;

/** Decides a run's status from its files' facts at time `now` (ms since the epoch); rules in the module doc. */
export function runStatus(facts: StatusFacts, now: number): StatusVerdict {
  const { summary, heartbeat: beat } = facts;
  const beatAt = beat ? Date.parse(beat.at) : NaN;
  if (beat?.state === "running") {
    const stale = Math.max(30, 6 * beat.interval_s) * 1000;
    if (now - beatAt < stale) {
      return { status: "training", reason: `epoch ${beat.epoch}, step ${beat.step}` };
    }
  }
  if (summary && !(beat?.state !== "ended" && beatAt > Date.parse(summary.ended_at))) {
    const why = summary.stopped_reason;
    if (why === "completed") return { status: "finished", reason: why };
    return { status: DIVERGED.test(why) ? "failed" : "stopped early", reason: why };
  }
  if (!beat) {
    const window = Math.max(120, 3 * facts.longestEpochSeconds) * 1000;
    if (now - facts.newestWrite < window) {
      return { status: "training", reason: `last write ${age(now - facts.newestWrite)} ago` };
    }
  }
  const silent = `no sign of life for ${age(now - (beat ? beatAt : facts.newestWrite))}`;
  if (beat?.state === "interrupted" || facts.resumable) {
    return { status: "interrupted", reason: `${silent}; resume from checkpoints/last` };
  }
  return {
    status: "failed",
    reason: beat?.state === "failed" ? "the training process raised an error" : silent,
  };
}

const mtimeOf = (path: string): Promise<number> =>
  Deno.stat(path).then((s) => s.mtime?.getTime() ?? 0, () => 0);

/**
 * The facts of {@linkcode runStatus} for run directory `dir`, given its
 * summary and history as already read (the caller reads them once).
 */
export async function readStatusFacts(
  dir: string,
  summary: RunSummary | undefined,
  history: readonly Readonly<Record<string, number>>[],
): Promise<StatusFacts> {
  const heartbeat = await readHeartbeat(join(dir, RUN_FILES.heartbeat)).catch((e) => {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  });
  const writes = await Promise.all(
    [RUN_FILES.history, RUN_FILES.summary, RUN_FILES.config].map((f) => mtimeOf(join(dir, f))),
  );
  const resumable = await Deno.stat(checkpointDir(dir, "last")).then(() => true, () => false);
  const seconds = history.map((r) => r.seconds).filter(Number.isFinite);
  return {
    summary,
    heartbeat,
    resumable,
    newestWrite: maxOf(writes),
    longestEpochSeconds: seconds.length ? maxOf(seconds) : 0,
  };
}
