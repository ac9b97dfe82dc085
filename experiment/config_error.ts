/**
 * The error of an experiment that breaks a rule, and how a key path is
 * located for its message. A file of its own so that the command line's
 * declarations can name it without loading the models or tfjs.
 * @module
 */
import { UserError } from "../core/errors.ts";

/** A config error naming the file, the line and column, and the key path. */
export class ConfigError extends UserError {}

/** Where a key path of an experiment was set: `file:line:col`, a flag such as `--lr`, a label. */
export type Locate = (path: readonly PropertyKey[]) => string;
