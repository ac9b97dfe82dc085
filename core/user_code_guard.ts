/**
 * The one moment before code that is not skiplab's own (a plugin file) is
 * imported into the process. The command line registers what must happen
 * first (tasks/cli.ts: load the native libraries, then revoke FFI, so the
 * imported code cannot open a native library); the plugin loader calls
 * {@linkcode beforeUserCode} before each such import. A process that imports
 * no plugin file never pays for the guard (the revocation costs the native
 * backend its C-memory output pool, about 150 MB more peak memory for
 * ResNet-18), and one that does is guarded before the first import.
 * @module
 */

let guard: (() => Promise<void>) | undefined;
let done: Promise<void> | undefined;

/** Sets what must run, once, before the first plugin file is imported. */
export function guardUserCode(before: () => Promise<void>): void {
  guard = before;
  done = undefined;
}

/** Runs the registered guard once (later calls wait for the same run); nothing when none is set. */
export function beforeUserCode(): Promise<void> {
  if (guard === undefined) return Promise.resolve();
  done ??= guard();
  return done;
}
