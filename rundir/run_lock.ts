/**
 * One writer per run directory: train, `--resume`, suites, sweep members and
 * the queue's workers all take the lock file `.lock` here before writing.
 *
 * The file names its holder (process id, host, what it does) as JSON, and
 * its holder keeps an OS lock (`flock`) on it for as long as it runs. The
 * kernel drops that lock when the process dies, however it dies, so:
 *
 * - a lock whose OS lock is held is live: the caller is refused, naming the
 *   holder's process and host;
 * - a lock whose OS lock is free and whose file names this host is a dead
 *   holder's (killed, crashed): it is taken over at once;
 * - a lock naming another host is respected while that host keeps it fresh
 *   (its holder touches the file every third of `staleMs`), since an OS
 *   lock may not cross a network file system; once nobody has touched it
 *   for `staleMs` (60 s by default) it is taken over. That is the rule for
 *   stale locks: a holder whose machine stopped refreshing for a minute is
 *   gone.
 *
 * A child process may continue under its parent's lock (a queue worker
 * holds the member's lock while the `train --resume` it starts writes): the
 * parent hands the child its token in the environment variable
 * {@linkcode RUN_LOCK_ENV}. Within one process the lock is re-entrant.
 * @module
 */
import { resolve } from "node:path";
import { UserError } from "../core/errors.ts";
import { RunDirError } from "./prepare.ts";

/** File name of the lock in a run directory. */
export const RUN_LOCK = ".lock";

/** Environment variable through which a holder lets its child write under its lock. */
export const RUN_LOCK_ENV = "SKIPLAB_RUN_LOCK";

/** A held lock; release it when the run's process has ended. */
export interface RunLock {
  /** This holder's token (what a child is handed in {@linkcode RUN_LOCK_ENV}). */
  readonly token: string;
  /** Stops refreshing and removes the file, if it is still this holder's. */
  release(): Promise<void>;
}

/** Who holds a lock another caller could not take, and since when it was last refreshed. */
export interface RunLockHeld {
  /** The holder's description: "process 123 on host h (train)". */
  readonly holder: string;
  /** The holder's process id, when its lock says. */
  readonly pid?: number;
  /** The holder's host name, when its lock says. */
  readonly host?: string;
  /** Milliseconds since the holder last refreshed the lock. */
  readonly ageMs: number;
}

/** Options of {@linkcode lockRunDir}. */
export interface RunLockOptions {
  /** Another host's lock not refreshed for this long is taken over. @default 60000 */
  readonly staleMs?: number;
  /** A token handed down by the parent process: its lock, when it holds this one, is shared. */
  readonly inherit?: string;
}

/** A run directory another process writes to; the message names its process and host. */
export class RunLockedError extends UserError {
  /** Who holds the lock. */
  readonly held: RunLockHeld;
  /** An error about run directory `dir`, held by `held`. */
  constructor(dir: string, held: RunLockHeld) {
    super(
      `Cannot write to '${dir}': ${held.holder} is writing it (its lock ${dir}/${RUN_LOCK} was ` +
        `refreshed ${Math.round(held.ageMs / 1000)} s ago); wait for it to end, or stop it first`,
    );
    this.held = held;
  }
}

interface LockFile {
  readonly pid: number;
  readonly host: string;
  readonly what: string;
  readonly since: string;
  readonly token: string;
}

/** Locks held by this process, by resolved directory: the lock is re-entrant. */
const HERE = new Map<string, { lock: RunLock; count: number }>();

/** This machine's name, or "unknown-host" where it may not be read. */
export function hostName(): string {
  try {
    return Deno.hostname();
  } catch {
    return "unknown-host";
  }
}

/** The token {@linkcode RUN_LOCK_ENV} hands this process, if any (and if it may be read). */
export function inheritedRunLock(): string | undefined {
  try {
    return Deno.env.get(RUN_LOCK_ENV) || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Takes the lock of run directory `dir` for this process (`what` says what
 * it does: "train", "worker job 7"), or says who holds it. The lock is
 * refreshed every third of `staleMs` until released.
 */
export async function lockRunDir(
  dir: string,
  what: string,
  options: RunLockOptions = {},
): Promise<RunLock | RunLockHeld> {
  const staleMs = options.staleMs ?? 60_000;
  if (!(staleMs > 0)) {
    throw new RangeError(`Cannot lock '${dir}': staleMs must be > 0, got ${staleMs}`);
  }
  const key = resolve(dir);
  const mine = HERE.get(key);
  if (mine) {
    mine.count++;
    return nested(key, mine.lock);
  }
  const path = resolve(dir, RUN_LOCK);
  const host = hostName();
  for (let attempt = 0; attempt < 3; attempt++) {
    const file = await Deno.open(path, { read: true, write: true, create: true }).catch((e) => {
      throw new RunDirError(dir, `Cannot lock '${dir}' to write it: ${(e as Error).message}`, e);
    });
    let keep = false;
    try {
      const found = await readLock(file);
      if (!await file.tryLock(true)) {
        if (options.inherit !== undefined && found.doc?.token === options.inherit) {
          return share(key, options.inherit);
        }
        return describe(found);
      }
      // Removed and made again by another taker since it was opened: look again.
      const now = await Deno.stat(path).catch(() => undefined);
      if (now?.ino !== (await file.stat()).ino) continue;
      const doc = found.doc;
      if (doc && doc.host !== host && found.ageMs < staleMs) return describe(found);
      const mineNow: LockFile = {
        pid: Deno.pid,
        host,
        what,
        since: new Date().toISOString(),
        token: crypto.randomUUID(),
      };
      await file.truncate(0);
      await file.seek(0, Deno.SeekMode.Start);
      await file.write(new TextEncoder().encode(JSON.stringify(mineNow) + "\n"));
      keep = true;
      const lock = held(key, path, file, mineNow.token, staleMs);
      HERE.set(key, { lock, count: 1 });
      return nested(key, lock);
    } finally {
      if (!keep) file.close();
    }
  }
  throw new Error(`Cannot lock '${dir}': its lock file kept being replaced`);
}

/**
 * Takes the lock of `dir` as {@linkcode lockRunDir} does, or throws.
 * @throws {RunLockedError} naming the holder's process and host.
 */
export async function holdRunDir(
  dir: string,
  what: string,
  options: RunLockOptions = {},
): Promise<RunLock> {
  const r = await lockRunDir(dir, what, options);
  if (isRunLock(r)) return r;
  throw new RunLockedError(dir, r);
}

/** Whether {@linkcode lockRunDir} returned a held lock (rather than its holder). */
export function isRunLock(r: RunLock | RunLockHeld): r is RunLock {
  return typeof (r as RunLock).release === "function";
}

async function readLock(
  file: Deno.FsFile,
): Promise<{ doc?: LockFile; text: string; ageMs: number }> {
  const info = await file.stat();
  const bytes = new Uint8Array(Math.min(info.size, 4096));
  let at = 0;
  while (at < bytes.length) {
    const n = await file.read(bytes.subarray(at));
    if (n === null) break;
    at += n;
  }
  const text = new TextDecoder().decode(bytes.subarray(0, at)).trim();
  const ageMs = Date.now() - (info.mtime?.getTime() ?? 0);
  try {
    const doc = JSON.parse(text);
    if (typeof doc?.pid === "number" && typeof doc?.host === "string") return { doc, text, ageMs };
  } catch {
    // A lock of an older writer ("<holder> #<token>"), or one cut short: described by its text.
  }
  return { text, ageMs };
}

function describe(found: { doc?: LockFile; text: string; ageMs: number }): RunLockHeld {
  const d = found.doc;
  if (!d) {
    return { holder: found.text.replace(/ #[0-9a-f-]+$/, "") || "unknown", ageMs: found.ageMs };
  }
  return {
    holder: `process ${d.pid} on host ${d.host} (${d.what}, since ${d.since})`,
    pid: d.pid,
    host: d.host,
    ageMs: found.ageMs,
  };
}

function held(
  key: string,
  path: string,
  file: Deno.FsFile,
  token: string,
  staleMs: number,
): RunLock {
  const refresh = setInterval(() => {
    const now = new Date();
    file.utime(now, now).catch(() => {});
  }, Math.max(50, staleMs / 3));
  // A lock never keeps a process alive; its holder releases it or dies.
  Deno.unrefTimer(refresh);
  return {
    token,
    async release() {
      clearInterval(refresh);
      try {
        const text = await Deno.readTextFile(path).catch(() => "");
        const doc = (() => {
          try {
            return JSON.parse(text) as LockFile;
          } catch {
            return undefined;
          }
        })();
        // Removed while the OS lock is held, so no other taker can be between the two.
        if (doc?.token === token) await Deno.remove(path).catch(() => {});
      } finally {
        HERE.delete(key);
        file.close();
      }
    },
  };
}

/** A handle on a lock this process already holds: the last release releases it. */
function nested(key: string, lock: RunLock): RunLock {
  let done = false;
  return {
    token: lock.token,
    async release() {
      if (done) return;
      done = true;
      const entry = HERE.get(key);
      if (!entry) return;
      if (--entry.count === 0) await entry.lock.release();
    },
  };
}

/** The parent's lock, shared with this child: the parent refreshes and removes it. */
function share(key: string, token: string): RunLock {
  const lock: RunLock = { token, release: () => Promise.resolve(HERE.delete(key)).then(() => {}) };
  HERE.set(key, { lock, count: 1 });
  return nested(key, lock);
}
