/**
 * A lock file in a run directory, so that two processes (on one machine or on
 * several sharing the folder) never train the same run at once. A job queue
 * hands a job to one worker at a time only while its lock in the queue holds:
 * when the queue's server restarts without its data, or a worker loses the
 * connection, the queue may give the job again while the first trainer still
 * runs. The file is the second guard: it is created exclusively (a hard link,
 * atomic on local and network file systems), refreshed while held, and taken
 * over only once nobody has refreshed it for `staleMs`.
 * @module
 */
import { join } from "node:path";

/** File name of the lock in a run directory. */
export const RUN_LOCK = ".lock";

/** A held lock; release it when the run's process has ended. */
export interface RunLock {
  /** Stops refreshing and removes the file, if it is still this holder's. */
  release(): Promise<void>;
}

/** Who holds a lock another caller could not take, and since when it was last refreshed. */
export interface RunLockHeld {
  /** The holder's description (host, process, job). */
  readonly holder: string;
  /** Milliseconds since the holder last refreshed the lock. */
  readonly ageMs: number;
}

/** Options of {@linkcode lockRunDir}. */
export interface RunLockOptions {
  /** A lock not refreshed for this long is taken over. @default 60000 */
  readonly staleMs?: number;
}

/**
 * Takes the lock of run directory `dir` for `holder`, or says who holds it.
 * The lock is refreshed every third of `staleMs` until released.
 */
export async function lockRunDir(
  dir: string,
  holder: string,
  options: RunLockOptions = {},
): Promise<RunLock | RunLockHeld> {
  const staleMs = options.staleMs ?? 60_000;
  if (!(staleMs > 0)) {
    throw new RangeError(`Cannot lock '${dir}': staleMs must be > 0, got ${staleMs}`);
  }
  const path = join(dir, RUN_LOCK);
  const token = `${holder} #${crypto.randomUUID()}`;
  const tmp = `${path}.${crypto.randomUUID()}`;
  await Deno.writeTextFile(tmp, `${token}\n`);
  try {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await Deno.link(tmp, path);
        return held(path, token, staleMs);
      } catch (e) {
        if (!(e instanceof Deno.errors.AlreadyExists)) throw e;
      }
      const found = await current(path);
      if (found === undefined) continue; // released meanwhile
      if (found.ageMs < staleMs || attempt > 0) return found;
      await Deno.remove(path).catch(() => {}); // its holder stopped refreshing it
    }
    return (await current(path)) ?? { holder: "unknown", ageMs: 0 };
  } finally {
    await Deno.remove(tmp).catch(() => {});
  }
}

/** Whether {@linkcode lockRunDir} returned a held lock (rather than its holder). */
export function isRunLock(r: RunLock | RunLockHeld): r is RunLock {
  return typeof (r as RunLock).release === "function";
}

async function current(path: string): Promise<RunLockHeld | undefined> {
  try {
    const [text, info] = await Promise.all([Deno.readTextFile(path), Deno.stat(path)]);
    const ageMs = Date.now() - (info.mtime?.getTime() ?? 0);
    return { holder: text.trim().replace(/ #[0-9a-f-]+$/, ""), ageMs };
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
}

function held(path: string, token: string, staleMs: number): RunLock {
  const refresh = setInterval(() => {
    const now = new Date();
    Deno.utime(path, now, now).catch(() => {});
  }, Math.max(50, staleMs / 3));
  return {
    async release() {
      clearInterval(refresh);
      const text = await Deno.readTextFile(path).catch(() => "");
      if (text.trim() === token) await Deno.remove(path).catch(() => {});
    },
  };
}
