/**
 * Help, derived from the command table: the top-level list of commands and
 * each command's usage with its flags.
 * @module
 */
import type { AnyCommand, FlagSpec } from "./command.ts";

function flagLine(name: string, f: FlagSpec): [string, string] {
  const left = `--${name}${f.type === "string" ? ` ${f.value ?? "VALUE"}` : ""}` +
    (f.short ? `, -${f.short}` : "");
  const right = f.help + (f.default !== undefined ? ` (default ${f.default})` : "") +
    (f.multiple ? " (repeatable)" : "");
  return [left, right];
}

/** The usage of one command: its usage lines, details and flags, aligned. */
export function commandUsage(command: AnyCommand): string {
  const usage = command.usage.map((u, i) =>
    `${i === 0 ? "usage:" : "      "} deno task ${command.name} ${u}`.trimEnd()
  );
  const flags = Object.entries(command.flags as Record<string, FlagSpec>).map(([n, f]) =>
    flagLine(n, f)
  );
  flags.push(["--help, -h", "show this help"]);
  const width = Math.max(...flags.map(([l]) => l.length));
  return [
    ...usage,
    "",
    command.summary + ".",
    ...(command.details ? ["", command.details] : []),
    "",
    "flags:",
    ...flags.map(([l, r]) => `  ${l.padEnd(width)}  ${r}`),
  ].join("\n");
}

/** The top-level help: every command with its summary. */
export function topUsage(commands: readonly AnyCommand[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    "skiplab — deep-CNN experiments on TensorFlow.js",
    "",
    "usage: deno task COMMAND [args] [flags]   (deno task COMMAND --help for its flags)",
    "",
    "commands:",
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
  ].join("\n");
}
