/**
 * The one base class of the errors a person using skiplab can fix: a bad flag
 * or experiment key, a missing or damaged file, an unknown name, a backend
 * whose package is not installed. The CLI prints such an error as one
 * `error:` line and exits 2; any other error is a bug in skiplab and is
 * printed with its stack (exit 1). Library callers catch it by class:
 *
 * ```ts
 * import { UserError } from "@skiplab/skiplab";
 * try {
 *   // … loadExperiment(file) …
 * } catch (e) {
 *   if (!(e instanceof UserError)) throw e;
 *   console.error(e.message);
 * }
 * ```
 * @module
 */

/** An error in what the user gave (input, file, name, installed packages), not in skiplab. */
export class UserError extends Error {
  /**
   * Makes the error; its `name` is the subclass's.
   * @param message says what was given, the rule, and the value or the fix.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A command line that its command does not take: an unknown flag, a missing or extra word. */
export class UsageError extends UserError {
  /** The usage of the command, printed after the message. */
  readonly usage?: string;
  /**
   * @param message names the flag or word and the rule.
   * @param usage the command's usage lines, shown to the user below the message.
   */
  constructor(message: string, usage?: string) {
    super(message);
    this.usage = usage;
  }
}
