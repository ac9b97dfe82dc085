/**
 * `heartbeat.json`: rewritten every few seconds by the process training a
 * run, so that a reader can tell a run that is training from one whose
 * process died (killed, crashed, machine off) without asking the process.
 * @module
 */
import { dirname, join } from "node:path";
import { z } from "zod";
import { writeFileAtomic } from "./atomic.ts";
import { epochOffset, markRunFormat } from "./format.ts";
import { RUN_FILES } from "./layout.ts";
import { readJsonFile } from "./_json.ts";

/** What the training process was doing at its last beat. */
export type HeartbeatState = "running" | "ended" | "interrupted" | "failed";

/** The contents of `heartbeat.json`. */
export interface Heartbeat {
  /** `running` while the process trains; how it ended once it did (`failed`: an exception). */
  readonly state: HeartbeatState;
  /** ISO time of the beat. */
  readonly at: string;
  /** Seconds between beats while running. */
  readonly interval_s: number;
  /** Epoch being trained, numbered from 1. */
  readonly epoch: number;
  /** Steps of that epoch done. */
  readonly step: number;
  /** Process id of the writer (informative: another machine's ids mean nothing here). */
  readonly pid: number;
}

const HEARTBEAT_SCHEMA = z.strictObject({
  state: z.enum(["running", "ended", "interrupted", "failed"]),
  at: z.iso.datetime(),
  interval_s: z.number().positive(),
  epoch: z.number().int().min(0),
  step: z.number().int().min(0),
  pid: z.number().int(),
});

/** Writes `heartbeat.json` in `dir`. */
export async function writeHeartbeat(dir: string, beat: Heartbeat): Promise<void> {
  await markRunFormat(dir);
  await writeFileAtomic(join(dir, RUN_FILES.heartbeat), JSON.stringify(beat, null, 2) + "\n");
}

/**
 * Reads `heartbeat.json`; `epoch` numbered from 1 whatever the format of its
 * run directory (rundir/format.ts).
 * @throws {Deno.errors.NotFound} when there is none (a run of an older writer, or not started).
 * @throws {SyntaxError} naming the file and the first problem.
 */
export async function readHeartbeat(path: string): Promise<Heartbeat> {
  const r = HEARTBEAT_SCHEMA.safeParse(await readJsonFile(path));
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new SyntaxError(
      `Cannot read '${path}': '${issue.path.join(".") || "(root)"}': ${issue.message}`,
    );
  }
  return { ...r.data, epoch: r.data.epoch + await epochOffset(dirname(path)) };
}
