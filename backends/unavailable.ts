/**
 * The error for a backend this machine cannot run: its package or library is
 * not installed, or there is no device for it. The message says what is
 * missing and how to install it; it is the user's to fix, so the CLI prints
 * it without a stack.
 * @module
 */
import { UserError } from "../core/errors.ts";

/** A backend that cannot run here, with the reason and the install hint. */
export class BackendUnavailableError extends UserError {}
