/**
 * The job queue that spreads a sweep's members over machines: BullMQ on Redis.
 * One job per member, its id `<sweep>/<member>`, so enqueuing a sweep again
 * adds nothing that is already queued, running or done. A worker holds a
 * job's lock while it trains (renewed by BullMQ, unaffected by training since
 * training runs in a child process); a worker that dies stops renewing it,
 * and after `lockSeconds` the job is handed to another worker, which resumes
 * the member from checkpoints/last. Run Redis with `appendonly yes` so a
 * restart keeps the queue; a queue that lost its jobs anyway gets them back
 * from a waiting `sweep --queue`.
 * @module
 */
import { type Job, Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import type { SweepIndex } from "../rundir/mod.ts";

/** The BullMQ queue every sweep's members go to. */
export const QUEUE_NAME = "skiplab-sweep";

/** What a member's job carries: enough to write its run directory on any machine. */
export interface MemberJob {
  /** The sweep's index (written as sweep.json under the worker's runs folder). */
  readonly sweep: SweepIndex;
  /** The member's directory name. */
  readonly member: string;
  /** Its resolved experiment, YAML (its config.yaml). */
  readonly config: string;
}

/** Progress a worker reports for a member: the epoch it is at, of all. */
export interface MemberProgress {
  /** The epoch in training, numbered from 1 (the last finished once it stopped; 0 before any). */
  readonly epoch: number;
  /** Epochs the member trains. */
  readonly epochs: number;
  /** Validation accuracy of the last finished epoch. */
  readonly val_acc?: number;
}

/** Where Redis is. */
export interface RedisPlace {
  /** Host name or address. */
  readonly host: string;
  /** TCP port. @default 6379 */
  readonly port: number;
  /** Database number. @default 0 */
  readonly db: number;
  /** ACL user, if the URL names one. */
  readonly username?: string;
  /** Password, if the URL gives one. */
  readonly password?: string;
}

/**
 * Parses `redis://[user:password@]HOST:PORT[/DB]`.
 * @throws {RangeError} naming the flag and the value when it is not such a URL.
 */
export function parseRedisUrl(url: string, flag = "--queue"): RedisPlace {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new RangeError(`${flag}: expected redis://HOST:PORT, got '${url}'`);
  }
  const db = u.pathname.replace(/^\//, "");
  if (u.protocol !== "redis:" || u.hostname === "" || (db !== "" && !/^\d+$/.test(db))) {
    throw new RangeError(`${flag}: expected redis://HOST:PORT[/DB], got '${url}'`);
  }
  return {
    host: u.hostname.replace(/^\[|\]$/g, ""),
    port: u.port ? Number(u.port) : 6379,
    db: db ? Number(db) : 0,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
  };
}

/** A new Redis connection that waits through outages (BullMQ's workers require it). */
export function redisConnection(place: RedisPlace): Redis {
  return new Redis({
    ...place,
    maxRetriesPerRequest: null,
    retryStrategy: (times: number) => Math.min(200 * times, 2000),
  });
}

/**
 * Checks that Redis answers, so a wrong address fails at once instead of
 * waiting forever for a server that is not there.
 * @throws {Error} naming the URL, the cause and how to start a server.
 */
export async function checkRedis(place: RedisPlace, url: string): Promise<void> {
  const probe = new Redis({
    ...place,
    lazyConnect: true,
    connectTimeout: 5000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  let cause = "";
  probe.on("error", (e: Error) => cause ||= e.message); // the reason; connect() only says "closed"
  try {
    await probe.connect();
    await probe.ping();
  } catch (e) {
    throw new Error(
      `Cannot reach the queue at ${url}: ${cause || (e as Error).message} ` +
        "(start one with `redis-server --appendonly yes`, or give --queue redis://HOST:PORT)",
    );
  } finally {
    probe.disconnect();
  }
}

/** The job id of a member. */
export function memberJobId(sweep: string, member: string): string {
  return `${sweep}/${member}`;
}

/**
 * Enqueues every member not yet queued; a member whose job failed for good is
 * retried. Returns the queue (close it when done).
 */
export async function enqueueSweep(
  place: RedisPlace,
  index: SweepIndex,
  configs: ReadonlyMap<string, string>,
): Promise<Queue> {
  const queue = new Queue(QUEUE_NAME, { connection: redisConnection(place) });
  for (const m of index.members) await addMember(queue, index, m.dir, configs.get(m.dir)!);
  return queue;
}

async function addMember(queue: Queue, sweep: SweepIndex, member: string, config: string) {
  const jobId = memberJobId(sweep.name, member);
  const job = await queue.getJob(jobId);
  if (job && (await job.getState()) === "failed") return void await job.retry();
  if (job) return;
  const data: MemberJob = { sweep, member, config };
  await queue.add(member, data, {
    jobId,
    attempts: 3,
    backoff: { type: "exponential", delay: 5000 },
    removeOnComplete: false,
    removeOnFail: false,
  });
}

/** Options of {@linkcode waitForSweep}. */
export interface WaitOptions {
  /** Called when a member's state or progress changes. */
  readonly onChange?: (member: string, state: string, progress?: MemberProgress) => void;
  /** Stops waiting. */
  readonly signal?: AbortSignal;
  /** Seconds between looks. @default 2 */
  readonly pollSeconds?: number;
}

/**
 * Waits until every member's job has completed or failed for good; a job the
 * queue lost (Redis restarted without its data) is added again. Returns the
 * members that failed, with the error of their last attempt.
 */
export async function waitForSweep(
  queue: Queue,
  index: SweepIndex,
  configs: ReadonlyMap<string, string>,
  options: WaitOptions = {},
): Promise<{ member: string; error: string }[]> {
  const seen = new Map<string, string>();
  while (!options.signal?.aborted) {
    const failed: { member: string; error: string }[] = [];
    let open = 0;
    for (const m of index.members) {
      const job: Job | undefined = await queue.getJob(memberJobId(index.name, m.dir));
      if (!job) {
        await addMember(queue, index, m.dir, configs.get(m.dir)!);
        open++;
        continue;
      }
      const state = await job.getState();
      const progress = typeof job.progress === "object"
        ? job.progress as MemberProgress
        : undefined;
      const key = `${state} ${JSON.stringify(progress ?? null)}`;
      if (seen.get(m.dir) !== key) {
        seen.set(m.dir, key);
        options.onChange?.(m.dir, state, progress);
      }
      if (state === "failed") failed.push({ member: m.dir, error: job.failedReason });
      else if (state !== "completed") open++;
    }
    if (open === 0) return failed;
    await new Promise((r) => setTimeout(r, (options.pollSeconds ?? 2) * 1000));
  }
  return [];
}

/** Options of {@linkcode startQueueWorker}. */
export interface QueueWorkerOptions {
  /** Seconds a job's lock lasts without renewal; a dead worker's job moves on after it. */
  readonly lockSeconds: number;
}

/** Starts a BullMQ worker taking one member at a time. */
export function startQueueWorker(
  place: RedisPlace,
  process: (job: Job<MemberJob>, token: string | undefined) => Promise<unknown>,
  options: QueueWorkerOptions,
): Worker<MemberJob> {
  const ms = options.lockSeconds * 1000;
  return new Worker<MemberJob>(QUEUE_NAME, process, {
    connection: redisConnection(place),
    concurrency: 1,
    lockDuration: ms,
    stalledInterval: ms,
    // A member may outlive several workers (preempted nodes); a stall is never the member's fault.
    maxStalledCount: 1000,
  });
}

/** Jobs neither completed nor failed, over every sweep in the queue. */
export async function openJobs(queue: Queue): Promise<number> {
  const c = await queue.getJobCounts("waiting", "active", "delayed", "prioritized");
  return Object.values(c).reduce((a, b) => a + b, 0);
}
