/**
 * The progress printer: an observer of the step-end, epoch-end and log events.
 * @module
 */
import { epochNumber } from "../../rundir/epochs.ts";
import type { Plugin } from "../hooks.ts";

/** Options of {@linkcode trainingProgress}. */
export interface TrainingProgressOptions {
  /** Where text goes. @default stderr */
  readonly write?: (text: string) => void;
  /** Draw a live bar (a terminal) rather than a line every 30 s (a log file). @default whether stderr is a terminal */
  readonly live?: boolean;
}

const fmtTime = (s: number) =>
  !Number.isFinite(s)
    ? "?"
    : s >= 60
    ? `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, "0")}s`
    : `${s.toFixed(0)}s`;

/**
 * Prints a run's progress: on a terminal a live bar (step, images/s, loss,
 * accuracy, ETA), in a log file a line at most every 30 s; one line of
 * metrics per epoch; and every log line of the run. Put it first among the
 * plugins, so that an epoch's line comes before what callbacks log about it.
 *
 * @example
 * ```ts
 * import { trainingProgress } from "./progress.ts";
 * const lines: string[] = [];
 * const progress = trainingProgress({ write: (s) => void lines.push(s), live: false });
 * progress.onLog!("hello");
 * console.log(lines); // ["hello\n"]
 * ```
 */
export function trainingProgress(options: TrainingProgressOptions = {}): Plugin {
  const write = options.write ??
    ((s: string) => void Deno.stderr.writeSync(new TextEncoder().encode(s)));
  const live = options.live ?? Deno.stderr.isTerminal();
  let lastDraw = live ? 0 : performance.now();
  const clear = () => live && write("\r\x1b[2K");
  return {
    name: "observers/progress",
    onStepEnd(p, ctx) {
      const now = performance.now();
      const done = p.step + 1 === p.steps;
      // A live bar on a terminal; in a log file, a line at most every 30 s.
      if (live ? !done && now - lastDraw < 100 : done || now - lastDraw < 30_000) return;
      lastDraw = now;
      const width = 24;
      const filled = Math.round((width * (p.step + 1)) / p.steps);
      const bar = `[${"=".repeat(filled)}${" ".repeat(width - filled)}]`;
      const eta = (p.seconds / (p.step + 1)) * (p.steps - p.step - 1);
      const line = `epoch ${epochNumber(p.epoch)}/${ctx.epochs} ${bar} ${p.step + 1}/${p.steps}  ` +
        `${p.imagesPerSec.toFixed(1)} img/s  loss ${p.loss.toFixed(4)}  acc ${p.acc.toFixed(4)}  ` +
        `ETA ${fmtTime(eta)}`;
      write(live ? `\r\x1b[2K${line}` : `${line}\n`);
    },
    onEpochEnd(m, ctx) {
      clear();
      write(
        `epoch ${epochNumber(m.epoch)}/${ctx.epochs}  loss ${m.loss.toFixed(4)}  acc ${
          m.acc.toFixed(4)
        }  ` +
          `val_loss ${m.val_loss.toFixed(4)}  val_acc ${m.val_acc.toFixed(4)}  ` +
          `lr ${m.lr.toExponential(2)}  ${m.seconds.toFixed(1)}s  ` +
          `${(m.images_per_sec ?? 0).toFixed(1)} img/s\n`,
      );
    },
    onLog(message) {
      clear();
      write(`${message}\n`);
    },
  };
}
