/**
 * `deno task worker --queue redis://HOST:PORT --runs DIR`: takes sweep members
 * from the queue one at a time and trains each in a child process (so a long
 * native step never stalls the renewal of the job's lock), under the shared
 * folder DIR as `DIR/<sweep>/<member>/`, reporting epoch progress through the
 * queue. A member is resumed from checkpoints/last when another worker died
 * on it; a lock file in its run directory keeps two workers off one member
 * even when the queue loses track. The worker that finishes a sweep's last
 * member writes the sweep's report, once.
 * @module
 */
import { join, resolve } from "node:path";
import { DelayedError, type Job, Queue, UnrecoverableError } from "bullmq";
import { parse } from "yaml";
import { renderSweepReport } from "../../analysis/mod.ts";
import {
  claimSweepReport,
  isRunLock,
  lockRunDir,
  readHeartbeat,
  readHistory,
  RUN_LOCK_ENV,
  type RunLock,
  runPath,
  SWEEP_FILES,
  sweepMemberDir,
  writeConfig,
  writeSweepIndex,
} from "../../rundir/mod.ts";
import { startMember } from "../../sweep/mod.ts";
import {
  checkRedis,
  type MemberJob,
  openJobs,
  parseRedisUrl,
  QUEUE_NAME,
  redisConnection,
  startQueueWorker,
} from "../../sweep/queue.ts";
import { ConfigError } from "../../experiment/config_error.ts";
import { intFlag } from "../args.ts";
import { createPluginRegistry } from "../../plugins/registry.ts";
import { jobRefusal } from "./_job_check.ts";

const exists = (p: string) => Deno.stat(p).then(() => true, () => false);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function hostname(): string {
  try {
    return Deno.hostname();
  } catch {
    return "unknown-host";
  }
}

function threadsFromEnv(): number | undefined {
  try {
    const n = Number(Deno.env.get("OMP_NUM_THREADS"));
    return Number.isInteger(n) && n >= 1 ? n : undefined;
  } catch {
    return undefined;
  }
}

/** The flags of `deno task worker`. */
export interface WorkerValues {
  readonly queue?: string;
  readonly runs?: string;
  readonly threads?: string;
  readonly "lock-seconds"?: string;
  readonly "idle-exit"?: string;
  /** Plugin files jobs may name; no other file is imported. */
  readonly "plugin-file"?: readonly string[];
}

/** `deno task worker …`; returns the exit code once stopped (signal, or idle). */
export async function workerRun(
  values: WorkerValues,
  positionals: readonly string[],
  memberArgv: (memberDir: string) => Promise<string[]>,
  signal?: AbortSignal,
): Promise<number> {
  if (values.queue === undefined || values.runs === undefined || positionals.length) {
    throw new ConfigError("worker: give --queue redis://HOST:PORT and --runs DIR, nothing else");
  }
  const place = parseRedisUrl(values.queue);
  await checkRedis(place, values.queue).catch((e: Error) => {
    throw new ConfigError(e.message, { cause: e });
  });
  const runs = resolve(values.runs);
  const threads = intFlag("threads", values.threads) ?? threadsFromEnv() ??
    (navigator.hardwareConcurrency || 1);
  const lockSeconds = intFlag("lock-seconds", values["lock-seconds"]) ?? 30;
  const idleExit = intFlag("idle-exit", values["idle-exit"]);
  const me = `${hostname()} worker ${Deno.pid}`;
  const allowedFiles = (values["plugin-file"] ?? []).map((f) => resolve(f));
  const registry = createPluginRegistry();
  const log = (line: string) => console.error(`${new Date().toISOString()} ${me}: ${line}`);
  let current: { stop(): void } | undefined;
  let busy = false;

  const processJob = async (job: Job<MemberJob>, token?: string) => {
    busy = true;
    try {
      return await trainMember(job, token);
    } finally {
      busy = false;
    }
  };
  const trainMember = async (job: Job<MemberJob>, token?: string) => {
    // Anyone who can write to the queue can push a job: it carries data, never code.
    const refusal = jobRefusal(
      job.data,
      (s, m) => sweepMemberDir(join(runs, s), { dir: m }),
      allowedFiles,
      (name) => registry.has(name),
    );
    if (refusal !== undefined) {
      throw new UnrecoverableError(`job ${job.id} refused: ${refusal}`);
    }
    const { sweep, member, config } = job.data;
    const sweepDir = join(runs, sweep.name);
    const dir = sweepMemberDir(sweepDir, { dir: member });
    await Deno.mkdir(dir, { recursive: true });
    await writeSweepIndex(sweepDir, sweep);
    const configPath = runPath(dir, "config");
    if (!await exists(configPath)) await writeConfig(dir, config);
    else if (
      JSON.stringify(parse(await Deno.readTextFile(configPath))) !== JSON.stringify(parse(config))
    ) {
      throw new UnrecoverableError(`${configPath} holds another experiment than job ${job.id}`);
    }
    if (await exists(runPath(dir, "summary"))) {
      log(`member ${member}: already finished`);
      await reportIfDone(sweepDir, sweep.members.map((m) => m.dir));
      return { member, finished: "before" };
    }
    let lock: RunLock | undefined;
    while (!lock) {
      if (signal?.aborted) throw await requeue(job, token);
      const r = await lockRunDir(dir, `worker job ${job.id}`, { staleMs: lockSeconds * 1000 });
      if (isRunLock(r)) lock = r;
      else await sleep(1000);
    }
    // Another worker may have finished it while this one waited for the lock.
    if (await exists(runPath(dir, "summary"))) {
      await lock.release();
      log(`member ${member}: already finished`);
      await reportIfDone(sweepDir, sweep.members.map((m) => m.dir));
      return { member, finished: "before" };
    }
    const exp = parse(config);
    let code: number;
    const report = async () => {
      const rows = await readHistory(runPath(dir, "history")).catch(() => []);
      // The epoch in training (numbered from 1, as the heartbeat says), else the last finished.
      const beat = await readHeartbeat(runPath(dir, "heartbeat")).catch(() => undefined);
      const epoch = beat?.state === "running" ? beat.epoch : rows.at(-1)?.epoch ?? 0;
      await job.updateProgress({ epoch, epochs: exp.epochs, val_acc: rows.at(-1)?.val_acc })
        .catch(() => {});
    };
    const progress = setInterval(report, 1000);
    try {
      log(`member ${member}: start (attempt ${job.attemptsMade + 1}, ${threads} thread(s))`);
      const child = startMember({
        argv: await memberArgv(dir),
        threads,
        // The member's `train --resume` writes under this worker's lock.
        env: { [RUN_LOCK_ENV]: lock.token },
        onLine: (line, stream) => stream === "stderr" && log(`[${member}] ${line}`),
      });
      current = child;
      code = await child.status;
    } finally {
      current = undefined;
      clearInterval(progress);
      await lock.release();
    }
    await report();
    if (signal?.aborted) throw await requeue(job, token);
    if (code !== 0 || !await exists(runPath(dir, "summary"))) {
      throw new Error(`member ${member}: training exited with status ${code}`);
    }
    log(`member ${member}: finished`);
    await reportIfDone(sweepDir, sweep.members.map((m) => m.dir));
    return { member, finished: "now" };
  };

  /** Puts a job back without counting an attempt (this worker is stopping, not the member failing). */
  const requeue = async (job: Job<MemberJob>, token?: string) => {
    log(`member ${job.data.member}: stopping; back to the queue`);
    await job.moveToDelayed(Date.now() + 1000, token);
    return new DelayedError();
  };

  const reportIfDone = async (sweepDir: string, members: string[]) => {
    for (const m of members) {
      if (!await exists(runPath(sweepMemberDir(sweepDir, { dir: m }), "summary"))) return;
    }
    if (!await claimSweepReport(sweepDir, me)) return;
    await renderSweepReport(sweepDir);
    log(`sweep ${sweepDir}: all ${members.length} members done; ${SWEEP_FILES.report} written`);
  };

  const worker = startQueueWorker(place, processJob, { lockSeconds });
  worker.on("failed", (job, e) => log(`job ${job?.id} failed: ${e.message}`));
  // While Redis is away the same error repeats every renewal: say it once.
  let lastError = "";
  worker.on("error", (e) => {
    if (e.message !== lastError) log(`queue: ${e.message}`);
    lastError = e.message;
  });
  log(`taking members from ${values.queue} (${QUEUE_NAME}) into ${runs}, ${threads} thread(s)`);
  const stopped = new Promise<void>((r) => signal?.addEventListener("abort", () => r()));
  signal?.addEventListener("abort", () => current?.stop());
  if (idleExit !== undefined) {
    const queue = new Queue(QUEUE_NAME, { connection: redisConnection(place) });
    let idleSince = Date.now();
    while (!signal?.aborted) {
      const open = await openJobs(queue).catch(() => 1);
      if (busy || open > 0) idleSince = Date.now();
      else if (Date.now() - idleSince >= idleExit * 1000) break;
      await Promise.race([sleep(1000), stopped]);
    }
    await queue.close();
  } else await stopped;
  log("closing");
  await worker.close();
  return signal?.aborted ? 143 : 0;
}
