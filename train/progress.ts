import type { EpochMetrics } from "./types.ts";

/** Where the trainer reports progress; every method is optional. */
export interface Reporter {
  /** After each training step. */
  batch?(p: BatchProgress): void;
  /** After each epoch. */
  epoch?(m: EpochMetrics, epochs: number): void;
  /** A log line (plugins' ctx.log, stop reasons). */
  log?(message: string): void;
}

/** Progress within an epoch. */
export interface BatchProgress {
  /** Zero-based index of the current epoch. */
  readonly epoch: number;
  /** Total epochs of the run. */
  readonly epochs: number;
  /** Zero-based index of the step just finished within the epoch. */
  readonly step: number;
  /** Steps per epoch. */
  readonly steps: number;
  /** Mean training loss of the epoch so far. */
  readonly loss: number;
  /** Training accuracy of the epoch so far, in [0, 1]. */
  readonly acc: number;
  /** Training throughput of the epoch so far, in images per second. */
  readonly imagesPerSec: number;
  /** Seconds spent in this epoch's training steps so far. */
  readonly elapsed: number;
}

const fmtTime = (s: number) =>
  !Number.isFinite(s)
    ? "?"
    : s >= 60
    ? `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, "0")}s`
    : `${s.toFixed(0)}s`;

/**
 * A terminal reporter: a live progress bar on stderr when it is a terminal
 * (batch, images/s, loss, accuracy, ETA), and one line of metrics per epoch.
 */
export function terminalReporter(
  write: (s: string) => void = (s) => void Deno.stderr.writeSync(new TextEncoder().encode(s)),
): Reporter {
  const tty = Deno.stderr.isTerminal();
  let lastDraw = tty ? 0 : performance.now();
  return {
    batch(p) {
      const now = performance.now();
      const done = p.step + 1 === p.steps;
      // A live bar on a terminal; in a log file, a line at most every 30 s.
      if (tty ? !done && now - lastDraw < 100 : done || now - lastDraw < 30_000) return;
      lastDraw = now;
      const width = 24;
      const filled = Math.round((width * (p.step + 1)) / p.steps);
      const bar = `[${"=".repeat(filled)}${" ".repeat(width - filled)}]`;
      const eta = (p.elapsed / (p.step + 1)) * (p.steps - p.step - 1);
      const line = `epoch ${p.epoch + 1}/${p.epochs} ${bar} ${p.step + 1}/${p.steps}  ` +
        `${p.imagesPerSec.toFixed(1)} img/s  loss ${p.loss.toFixed(4)}  acc ${p.acc.toFixed(4)}  ` +
        `ETA ${fmtTime(eta)}`;
      write(tty ? `\r\x1b[2K${line}` : `${line}\n`);
    },
    epoch(m, epochs) {
      if (tty) write("\r\x1b[2K");
      write(
        `epoch ${m.epoch + 1}/${epochs}  loss ${m.loss.toFixed(4)}  acc ${m.acc.toFixed(4)}  ` +
          `val_loss ${m.val_loss.toFixed(4)}  val_acc ${m.val_acc.toFixed(4)}  lr ${
            m.lr.toExponential(2)
          }  ` +
          `${m.seconds.toFixed(1)}s  ${(m.images_per_sec ?? 0).toFixed(1)} img/s\n`,
      );
    },
    log(message) {
      if (tty) write("\r\x1b[2K");
      write(`${message}\n`);
    },
  };
}
