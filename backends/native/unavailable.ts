/**
 * Why the native backend cannot run, in a few lines a user can act on: what
 * was tried and why each failed, the install command for this platform, and
 * what running without it costs. The cost is a ratio measured once (the
 * issue that added this message): baseline_cnn, `--limit 512 --epochs 1`, one
 * recipe, on a loaded 2-vCPU AMD EPYC (AVX2), with oneDNN 2.6.
 *
 * @module
 */
import type { Attempt } from "./onednn/open.ts";
import { BackendUnavailableError } from "../unavailable.ts";
import { installHint } from "./onednn/search.ts";

/** Images per second of baseline_cnn's training by backend, measured once (see the module doc). */
export const MEASURED_IMAGES_PER_SECOND: Readonly<Record<string, number>> = {
  native: 446,
  wasm: 30.6,
  cpu: 4.9,
  webgpu: 4.0, // on llvmpipe, Mesa's software adapter
};

/** What a native backend that cannot load tells the user. */
export interface NativeFailure {
  /** One line: why, e.g. `no usable oneDNN found`. */
  readonly reason: string;
  /** Each candidate library and its outcome (empty when none was tried). */
  readonly attempts: readonly Attempt[];
  /** The install command for this platform. */
  readonly install: string;
}

/** A failure with `reason` on `os`, after `attempts`. */
export function nativeFailure(
  reason: string,
  attempts: readonly Attempt[] = [],
  os: typeof Deno.build.os = Deno.build.os,
): NativeFailure {
  return { reason, attempts, install: installHint(os) };
}

/** `wasm trains baseline_cnn about 15× slower (30.6 vs 446 images/s …)`, or a plain note. */
export function fallbackCost(backend: string): string {
  const native = MEASURED_IMAGES_PER_SECOND.native, other = MEASURED_IMAGES_PER_SECOND[backend];
  if (other === undefined) {
    return `${backend} runs instead (its speed against native was not measured)`;
  }
  return `${backend} trains about ${Math.round(native / other)}× slower than native ` +
    `(baseline_cnn: ${other} vs ${native} images/s on a 2-vCPU AMD EPYC)`;
}

/**
 * The lines after the first of the explanation: candidates grouped by outcome,
 * the install command, and (given the backend that runs `instead`) its cost.
 */
export function failureDetails(f: NativeFailure, instead?: string): string[] {
  const byOutcome = new Map<string, string[]>();
  for (const a of f.attempts) {
    byOutcome.set(a.outcome, [...byOutcome.get(a.outcome) ?? [], a.path]);
  }
  const lines = [...byOutcome].map(([outcome, paths]) => `  tried ${paths.join(", ")}: ${outcome}`);
  lines.push(`  install: ${f.install}`);
  lines.push(
    `  ${instead === undefined ? "without it, " + fallbackCost("wasm") : fallbackCost(instead)}`,
  );
  return lines;
}

/** The whole explanation: `The native backend cannot load: <reason>`, then its details. */
export function explainFailure(f: NativeFailure, instead?: string): string {
  return [`The native backend cannot load: ${f.reason}`, ...failureDetails(f, instead)].join("\n");
}

/** `--backend native` where it cannot load: the whole explanation, as a user error. */
export class NativeUnavailableError extends BackendUnavailableError {
  /** What was tried and how to install. */
  readonly failure: NativeFailure;

  constructor(failure: NativeFailure) {
    super(explainFailure(failure));
    this.name = "NativeUnavailableError";
    this.failure = failure;
  }
}
