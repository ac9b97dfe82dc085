/**
 * The launcher behind every `deno task` command. It runs with the rights to
 * work out a command's permissions (read, the cache's variables, FFI for
 * `execv`, starting Deno), parses the command line against the command
 * table, asks the command what it will touch (tasks/commands/: the folders
 * its parsed arguments name, and what a run directory records), and then runs
 * `deno run --no-prompt <exactly those> tasks/cli.ts …`:
 *
 * - in place of itself through `execv` (Linux, macOS): same process, so
 *   signals, `kill -9` and the exit status behave as if it were started directly;
 * - where there is no `execv` (Windows, or `SKIPLAB_LAUNCH=child`), as a child
 *   with the standard streams inherited, Ctrl-C and SIGTERM forwarded, and
 *   its exit status returned as ours.
 *
 * A permission set in deno.json cannot do this alone: its paths are fixed,
 * while the cache follows `$SKIPLAB_DATA`, `$XDG_CACHE_HOME` or `$HOME`, the
 * output follows `--out`, and a resumed run reads the data it recorded.
 * @module
 */
import { fileURLToPath } from "node:url";
import { UsageError } from "../core/errors.ts";
import { defaultCacheDir } from "../data/cache_dir.ts";
import { parseCommandLine } from "./args.ts";
import { execReplace } from "./_exec.ts";
import { grant, NONE, permissionFlags, type Permissions, type Where } from "./permissions.ts";
import { commandNamed } from "./table.ts";

/** The project folder: where deno.json and tasks/cli.ts are. */
export const ROOT: string = fileURLToPath(new URL("..", import.meta.url)).replace(/[\\/]$/, "");

/** Where a command run from this process runs: the project, the working folder, the cache. */
export function hereWhere(): Where {
  let cacheDir: string | undefined;
  try {
    cacheDir = defaultCacheDir();
  } catch {
    cacheDir = undefined; // no HOME: a run that needs the cache reports it
  }
  return { root: ROOT, cwd: Deno.cwd(), cacheDir };
}

/**
 * The permissions of the command line `args` (`["train", "resnet18", "--out", "x"]`).
 * Help, and a command line the command refuses, get only the project: the
 * command then prints its help or its error.
 */
export async function commandPermissions(
  args: readonly string[],
  where: Where,
): Promise<Permissions> {
  const [name, ...rest] = args;
  const project = grant(NONE, { read: [where.root] });
  if (name === undefined || name.startsWith("-") || name === "help") return project;
  let command, parsed;
  try {
    command = commandNamed(name);
    parsed = parseCommandLine(command, rest);
  } catch (e) {
    if (e instanceof UsageError) return project;
    throw e;
  }
  if (parsed.values.help) return project;
  return await command.permissions(parsed, where);
}

/** The full `deno run` command line that runs `args` under exactly its permissions. */
export async function launchArgv(args: readonly string[], where: Where): Promise<string[]> {
  const perms = await commandPermissions(args, where);
  return [
    Deno.execPath(),
    "run",
    `--config=${where.root}/deno.json`,
    ...permissionFlags(perms),
    `${where.root}/tasks/cli.ts`,
    ...args,
  ];
}

const SIGNALS: Record<string, number> = { SIGINT: 2, SIGTERM: 15, SIGKILL: 9, SIGHUP: 1 };

/**
 * Runs `argv` as a child with the standard streams inherited, forwards
 * Ctrl-C (and SIGTERM where there is one) to it, and resolves to its exit
 * status (128 + the signal's number when a signal ended it, as a shell says).
 */
export async function runAsChild(argv: readonly string[]): Promise<number> {
  const child = new Deno.Command(argv[0], {
    args: argv.slice(1),
    stdin: "inherit",
    stdout: "inherit",
    stderr: "inherit",
  }).spawn();
  const signals = Deno.build.os === "windows"
    ? ["SIGINT"] as const
    : ["SIGINT", "SIGTERM"] as const;
  const forward = signals.map((sig) => {
    // On Windows Ctrl-C already reaches the child (one console); only keep ourselves alive.
    const on = () => {
      if (Deno.build.os === "windows") return;
      try {
        child.kill(sig);
      } catch { /* it has exited */ }
    };
    Deno.addSignalListener(sig, on);
    return [sig, on] as const;
  });
  try {
    const status = await child.status;
    return status.signal ? 128 + (SIGNALS[status.signal] ?? 0) : status.code;
  } finally {
    for (const [sig, on] of forward) Deno.removeSignalListener(sig, on);
  }
}

/** Whether this process can replace itself (`execv`), unless `SKIPLAB_LAUNCH=child` says not to. */
function canExec(): boolean {
  return Deno.build.os !== "windows" && Deno.env.get("SKIPLAB_LAUNCH") !== "child";
}

if (import.meta.main) {
  let argv: string[];
  try {
    argv = await launchArgv(Deno.args, hereWhere());
  } catch (e) {
    console.error(`error: ${(e as Error).message}`);
    Deno.exit(2);
  }
  if (canExec()) execReplace(argv);
  Deno.exit(await runAsChild(argv));
}
