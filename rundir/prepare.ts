/**
 * Checking an output folder before a run spends time on it: it must exist or
 * be creatable, take a write and a sync, and give the bytes back.
 * @module
 */
import { UserError } from "../core/errors.ts";
import { dirname, join, resolve } from "node:path";
import { recoverDir } from "./atomic.ts";
import { CHECKPOINT_SLOTS, checkpointDir } from "./layout.ts";

/** An output folder cannot take a run's files (read-only, full, not a folder). */
export class RunDirError extends UserError {
  /** The folder that failed. */
  readonly path: string;

  /** An error about folder `path`; `cause` is the file system's error. */
  constructor(path: string, message: string, cause?: unknown) {
    super(message, { cause });
    this.name = "RunDirError";
    this.path = path;
  }
}

/** How much a probe write puts on disk: enough to meet a nearly full disk, small enough to be quick. */
const PROBE_BYTES = 1 << 20;

/**
 * Makes `dir` (and its parents) and proves it can hold the run: writes,
 * syncs, reads back and removes a probe file; removes temporary files a
 * crashed run left. A folder this call created is removed again when the
 * check fails, so nothing half-made remains.
 * @throws {RunDirError} naming the folder and why (read-only, no space, …).
 */
export async function prepareRunDir(dir: string): Promise<void> {
  const existed = await Deno.stat(dir).then((s) => s.isDirectory, () => undefined);
  if (existed === false) {
    throw new RunDirError(dir, `Cannot write the run to '${dir}': it exists and is not a folder`);
  }
  const firstMissing = existed ? undefined : await outermostMissing(dir);
  const probe = join(dir, `.write-check-${Deno.pid}`);
  try {
    await Deno.mkdir(dir, { recursive: true });
    {
      using f = await Deno.open(probe, { write: true, createNew: true });
      const bytes = new Uint8Array(PROBE_BYTES);
      for (let at = 0; at < bytes.length;) at += await f.write(bytes.subarray(at));
      await f.sync();
    }
    const back = await Deno.stat(probe);
    if (back.size !== PROBE_BYTES) {
      throw new Error(`wrote ${PROBE_BYTES} bytes, found ${back.size}`);
    }
    await Deno.remove(probe);
    for (const slot of CHECKPOINT_SLOTS) await recoverDir(checkpointDir(dir, slot));
    await removeStaleTemporaries(dir);
  } catch (e) {
    await Deno.remove(probe).catch(() => {});
    if (firstMissing) await Deno.remove(firstMissing, { recursive: true }).catch(() => {});
    throw runDirError(dir, e);
  }
}

/**
 * Makes a new run directory `${out}/<time>-${name}` and returns its path.
 * Made without `recursive`, so that of two runs started in the same second
 * with one name only one gets the folder; the other takes the next free
 * suffix (`-2`, `-3`, …) and neither writes into the other's.
 * @throws {RunDirError} naming the folder when it cannot be made.
 */
export async function newRunDir(out: string, name: string, at: Date = new Date()): Promise<string> {
  const stamp = at.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
  const base = join(out, `${stamp}-${name}`);
  try {
    await Deno.mkdir(out, { recursive: true });
    for (let n = 1;; n++) {
      const dir = n === 1 ? base : `${base}-${n}`;
      try {
        await Deno.mkdir(dir);
        return dir;
      } catch (e) {
        if (!(e instanceof Deno.errors.AlreadyExists) || n >= 1000) throw e;
      }
    }
  } catch (e) {
    throw runDirError(base, e);
  }
}

/** The error that says why folder `dir` cannot take a run, from the file system's error `e`. */
function runDirError(dir: string, e: unknown): RunDirError {
  const err = e as Error;
  const why = err instanceof Deno.errors.PermissionDenied || /EROFS|read-only/i.test(err.message)
    ? "the folder is read-only or not writable"
    : /ENOSPC|no space/i.test(err.message)
    ? "the disk is full"
    : err.message;
  return new RunDirError(
    dir,
    `Cannot write the run to '${dir}': ${why} (${err.message}); choose another folder with --out`,
    e,
  );
}

/**
 * The outermost ancestor of `dir` (itself included) that does not exist yet:
 * what to remove to leave no trace of a run that failed at its start.
 */
export async function outermostMissing(dir: string): Promise<string | undefined> {
  let missing: string | undefined;
  for (let d = resolve(dir);; d = dirname(d)) {
    if (await Deno.stat(d).then(() => true, () => false)) return missing;
    missing = d;
    if (dirname(d) === d) return missing;
  }
}

/** Removes `*.tmp-<pid>` files that an atomic write cut short by a crash left in `dir`. */
async function removeStaleTemporaries(dir: string): Promise<void> {
  for await (const e of Deno.readDir(dir)) {
    if (e.isFile && /\.tmp-\d+$/.test(e.name)) await Deno.remove(join(dir, e.name));
  }
}
