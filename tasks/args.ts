/**
 * The one argv parser of the command line: a command's words are read
 * against that command's own flags (and `--help`). A flag the command does
 * not take is refused with a did-you-mean among that command's flags and its
 * usage; so is a value missing after a flag, or one given to a switch.
 * @module
 */
import { parseArgs } from "node:util";
import { UsageError } from "../core/errors.ts";
import { Registry } from "../core/registry.ts";
import type { AnyCommand, Flags, Parsed } from "./command.ts";
import { commandUsage } from "./help.ts";

/** `--help` and `-h`, which every command takes. */
export const HELP_FLAG = { help: { type: "boolean", short: "h", help: "show this help" } } as const;

/**
 * Parses `argv` (the words after the command's name) for `command`.
 * @throws {UsageError} naming the flag and the rule, with the command's usage.
 */
export function parseCommandLine<F extends Flags>(
  command: AnyCommand & { flags: F },
  argv: readonly string[],
): Parsed<F & typeof HELP_FLAG> {
  const flags: Flags = { ...command.flags, ...HELP_FLAG };
  const usage = () => commandUsage(command);
  for (const word of argv) {
    if (word === "--") break;
    const name = word.startsWith("--") ? word.slice(2).split("=")[0] : undefined;
    if (name !== undefined && !(name in flags)) {
      const known = new Registry<true>("flag");
      for (const k of Object.keys(flags)) known.register(`--${k}`, true);
      let message: string;
      try {
        known.get(`--${name}`);
        message = "";
      } catch (e) {
        message = (e as Error).message;
      }
      throw new UsageError(`${command.name}: ${message}`, usage());
    }
  }
  const options = Object.fromEntries(
    Object.entries(flags).map(([k, f]) => [
      k,
      {
        type: f.type,
        ...(f.multiple ? { multiple: true } : {}),
        ...(f.short ? { short: f.short } : {}),
      },
    ]),
  );
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      options,
      allowPositionals: true,
      strict: true,
    });
    return { values: values as Parsed<F & typeof HELP_FLAG>["values"], positionals };
  } catch (e) {
    // node:util's messages name the flag: "Option '--epochs <value>' argument missing".
    throw new UsageError(`${command.name}: ${(e as Error).message}`, usage());
  }
}

/**
 * The integer value of a flag, at least `min`; undefined when not given.
 * @throws {UsageError} naming the flag, the rule and the value.
 */
export function intFlag(flag: string, v: string | undefined, min = 1): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === "" || !Number.isInteger(n) || n < min) {
    throw new UsageError(`--${flag}: expected an integer >= ${min}, got '${v}'`);
  }
  return n;
}
