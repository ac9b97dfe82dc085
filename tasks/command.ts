/**
 * What a command of the command line is: its name, one-line summary, usage,
 * flags (type, default, help), the permissions it needs as a function of its
 * *parsed* arguments, and its `run`. Each command declares this once
 * (tasks/commands/); the table (table.ts) lists them, and help, the
 * launcher's permissions, deno.json's tasks and the README's command list are
 * derived from it.
 * @module
 */
import type { Permissions, Where } from "./permissions.ts";

/** One flag of a command. */
export interface FlagSpec {
  /** `string` takes a value (`--epochs 3`, `--epochs=3`); `boolean` is a switch. */
  readonly type: "string" | "boolean";
  /** May be given more than once; the values are collected in order. */
  readonly multiple?: boolean;
  /** A one-letter alias (`-h`). */
  readonly short?: string;
  /** The value's placeholder in help, e.g. `N`. */
  readonly value?: string;
  /** The default, as shown in help (applied by the command, which knows its type). */
  readonly default?: string;
  /** One line of help. */
  readonly help: string;
}

/** A command's flags, by name (kebab case, without `--`). */
export type Flags = Readonly<Record<string, FlagSpec>>;

/** The values of parsed flags: text, a switch, or repeated texts. */
export type FlagValues<F extends Flags> = {
  readonly [K in keyof F]?: F[K]["type"] extends "boolean" ? boolean
    : F[K]["multiple"] extends true ? readonly string[]
    : string;
};

/** A parsed command line: flag values and the words that are not flags. */
export interface Parsed<F extends Flags = Flags> {
  /** Flag values; a flag not given is absent. */
  readonly values: FlagValues<F>;
  /** The other words, in order. */
  readonly positionals: readonly string[];
}

/** What a running command gets besides its arguments. */
export interface RunContext {
  /** Aborted by Ctrl-C, SIGTERM, or a supervisor that went away: save and stop. */
  readonly signal: AbortSignal;
  /** The exit status a stop by `signal` should end with (130 for SIGINT, 143 for SIGTERM). */
  readonly stoppedCode: () => number;
  /** The words after the command's name, as given (already checked against its flags). */
  readonly argv: readonly string[];
  /**
   * The full `deno run` command line that runs another command (`["train", "--resume", dir]`)
   * under exactly its permissions, as the launcher would: how a sweep starts its members.
   */
  launch(args: readonly string[]): Promise<string[]>;
}

/** One command. */
export interface Command<F extends Flags = Flags> {
  /** Its name: `deno task NAME`. */
  readonly name: string;
  /** One line: what it does. */
  readonly summary: string;
  /** Usage lines after `deno task NAME`, e.g. `<model | experiment.yaml> [flags]`. */
  readonly usage: readonly string[];
  /** Paragraphs of help after the usage, if any. */
  readonly details?: string;
  /**
   * Whether Ctrl-C and SIGTERM ask it to stop after its current step (its
   * context's `signal`) rather than end the process: training commands.
   */
  readonly stops?: boolean;
  /** Its flags (`--help` is every command's and is not listed). */
  readonly flags: F;
  /** What it may touch, worked out from its parsed arguments (it may read the files they name). */
  permissions(args: Parsed<F>, where: Where): Permissions | Promise<Permissions>;
  /** Runs it; resolves to the exit status. */
  run(args: Parsed<F>, context: RunContext): Promise<number>;
}

/** A command of any flags, as the table holds it. */
// deno-lint-ignore no-explicit-any
export type AnyCommand = Command<any>;

/** Declares a command (the identity, typed: its `run` and `permissions` see its own flags). */
export function defineCommand<F extends Flags>(command: Command<F>): Command<F> {
  return command;
}
