/**
 * The command line: looks the command up in the table (table.ts), parses its
 * words against that command's flags, and runs it. A user's mistake (any
 * {@linkcode UserError}: a bad flag, file, config, checkpoint, a missing
 * package) prints one `error:` line and exits 2; anything else is a bug in
 * skiplab and prints its stack (exit 1).
 * @module
 */
import { guardUserCode } from "../core/user_code_guard.ts";
import { UsageError, UserError } from "../core/errors.ts";
import { parseCommandLine } from "./args.ts";
import { commandUsage, topUsage } from "./help.ts";
import { interruptible } from "./interrupt.ts";
import { hereWhere, launchArgv } from "./launch.ts";
import { commandNamed, COMMANDS } from "./table.ts";

/** Runs the CLI with `args` (the command's name first); returns the exit status. */
export async function main(args: readonly string[]): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined || name === "help" || name === "--help" || name === "-h") {
    console.log(topUsage(COMMANDS));
    return 0;
  }
  const command = commandNamed(name);
  const parsed = parseCommandLine(command, rest);
  if (parsed.values.help) {
    console.log(commandUsage(command));
    return 0;
  }
  if (!command.stops) {
    // Signals keep their default (end the process), or the command's own handling (serve).
    const never = new AbortController().signal;
    return await command.run(parsed, { signal: never, stoppedCode: () => 130, argv: rest, launch });
  }
  using stop = interruptible();
  return await command.run(parsed, {
    signal: stop.signal,
    stoppedCode: () => stop.exitCode(),
    argv: rest,
    launch,
  });
}

/** Another command's full command line under its own permissions, as the launcher makes it. */
const launch = (args: readonly string[]) => launchArgv(args, hereWhere());

/**
 * Whether `e`, or an error it was caused by, is the machine's state rather
 * than a bug: a full disk (ENOSPC), a read-only file system (EROFS), a file
 * the user may not write. Its message then says what failed, without a stack.
 */
export function isDiskCondition(e: unknown): boolean {
  for (let at = e, depth = 0; at instanceof Error && depth < 8; at = at.cause, depth++) {
    if (at instanceof Deno.errors.PermissionDenied) return true;
    if (/No space left on device|os error 28|Read-only file system|os error 30/.test(at.message)) {
      return true;
    }
  }
  return false;
}

/** Whether `e` is the user's to fix (exit 2, no stack) rather than a bug (exit 1, stack). */
export function isUserError(e: unknown): boolean {
  return e instanceof UserError ||
    // The user's own files and the permissions the command was given.
    e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotCapable ||
    isDiskCondition(e);
}

/**
 * When FFI is granted, loads the native libraries and revokes FFI
 * (backends/native/seal.ts): from then on no code in this process can open a
 * native library. It runs before the first plugin file is imported
 * (core/user_code_guard.ts), so a command that imports none keeps FFI and
 * the native backend's C-memory output pool.
 */
export async function sealNative(): Promise<void> {
  if (Deno.permissions.querySync({ name: "ffi" }).state !== "granted") return;
  const { sealNativeLibraries } = await import("../backends/mod.ts");
  await sealNativeLibraries();
}

/** Runs the CLI with `args` (sealed before any plugin file, {@linkcode sealNative}) and exits. */
export async function runAndExit(args: readonly string[]): Promise<never> {
  try {
    guardUserCode(sealNative);
    Deno.exit(await main(args));
  } catch (e) {
    const err = e as Error;
    console.error(`error: ${err.message}`);
    if (e instanceof UsageError && e.usage) console.error(`\n${e.usage}`);
    if (!isUserError(e)) console.error(err.stack);
    Deno.exit(isUserError(e) ? 2 : 1);
  }
}

if (import.meta.main) await runAndExit(Deno.args);
