/**
 * Progress of long data operations (download, checksum, extraction): a plain
 * record for callbacks and a terminal progress bar.
 * @module
 */

/** A snapshot of a long operation's progress. */
export interface Progress {
  /** What is running. */
  readonly phase: "download" | "verify" | "extract";
  /** URL or path being worked on. */
  readonly file: string;
  /** Bytes done so far. */
  readonly bytes: number;
  /** Bytes in all, when known. */
  readonly total: number | undefined;
  /** Average rate since the phase began, bytes per second. */
  readonly bytesPerSecond: number;
  /** Seconds left at that rate, when the total is known. */
  readonly etaSeconds: number | undefined;
  /** True on the last report of a phase. */
  readonly done: boolean;
}

/**
 * Makes a {@linkcode Progress} reporter for one phase that computes rate and
 * ETA and calls `sink` at most every `intervalMs` (and always on `done`).
 *
 * @example
 * ```ts
 * import { progressReporter, type Progress } from "./progress.ts";
 * const seen: Progress[] = [];
 * const report = progressReporter("download", "x.tar.gz", 100, (p) => seen.push(p), 0);
 * report(100, true);
 * if (!seen[0].done || seen[0].bytes !== 100) throw new Error();
 * ```
 */
export function progressReporter(
  phase: Progress["phase"],
  file: string,
  total: number | undefined,
  sink: (p: Progress) => void,
  intervalMs = 100,
): (bytes: number, done?: boolean) => void {
  const start = performance.now();
  let last = -Infinity;
  return (bytes, done = false) => {
    const now = performance.now();
    if (!done && now - last < intervalMs) return;
    last = now;
    const bytesPerSecond = bytes / Math.max((now - start) / 1000, 1e-3);
    const etaSeconds = total === undefined
      ? undefined
      : Math.max(0, total - bytes) / Math.max(bytesPerSecond, 1);
    sink({ phase, file, bytes, total, bytesPerSecond, etaSeconds, done });
  };
}

const mb = (n: number): string => (n / 2 ** 20).toFixed(1);

/**
 * Formats one line of a progress bar: phase, bar, bytes, rate and ETA.
 *
 * @example
 * ```ts
 * import { formatProgress } from "./progress.ts";
 * const line = formatProgress({
 *   phase: "download", file: "a", bytes: 2 ** 20, total: 2 ** 21,
 *   bytesPerSecond: 2 ** 20, etaSeconds: 1, done: false,
 * }, 10);
 * if (!line.includes("[#####     ]") || !line.includes("ETA 1s")) throw new Error(line);
 * ```
 */
export function formatProgress(p: Progress, width = 30): string {
  const frac = p.total ? Math.min(1, p.bytes / p.total) : 0;
  const filled = Math.round(frac * width);
  const bar = p.total ? `[${"#".repeat(filled)}${" ".repeat(width - filled)}] ` : "";
  const size = p.total ? `${mb(p.bytes)}/${mb(p.total)} MB` : `${mb(p.bytes)} MB`;
  const eta = p.done ? "done" : p.etaSeconds === undefined ? "" : `ETA ${Math.ceil(p.etaSeconds)}s`;
  return `${p.phase.padEnd(8)} ${bar}${size} ${mb(p.bytesPerSecond)} MB/s ${eta}`.trimEnd();
}

/**
 * A sink that draws a progress bar on stderr when stderr is a terminal, or
 * `undefined` when it is not (logs and CI stay clean).
 *
 * @example
 * ```ts
 * import { terminalProgress } from "./progress.ts";
 * const bar = terminalProgress(); // undefined under `deno test` output capture
 * ```
 */
export function terminalProgress(): ((p: Progress) => void) | undefined {
  if (!Deno.stderr.isTerminal()) return undefined;
  const encoder = new TextEncoder();
  return (p) => {
    Deno.stderr.writeSync(encoder.encode(`\r\x1b[2K${formatProgress(p)}${p.done ? "\n" : ""}`));
  };
}
