/**
 * The error for data that fails an integrity rule: a checksum mismatch, a
 * corrupt or unsafe archive, a download that stopped early.
 * @module
 */
import { UserError } from "../core/errors.ts";

/**
 * Data that breaks an integrity rule. The message names the file and the
 * rule; `file` holds the path or URL for programs.
 *
 * @example
 * ```ts
 * import { DataIntegrityError } from "./data_error.ts";
 * const e = new DataIntegrityError("a.tar.gz", "md5 must be 00…, got ff…");
 * if (e.file !== "a.tar.gz") throw new Error();
 * ```
 */
export class DataIntegrityError extends UserError {
  /** Path or URL of the offending file. */
  readonly file: string;

  /** Makes the error `${file}: ${rule}`. */
  constructor(file: string, rule: string, options?: ErrorOptions) {
    super(`${file}: ${rule}`, options);
    this.name = "DataIntegrityError";
    this.file = file;
  }
}
