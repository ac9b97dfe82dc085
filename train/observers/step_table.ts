/**
 * The observer that writes steps.csv: the run's curve inside its epochs,
 * one row every few steps, kept in the checkpoints so a resumed run's table
 * is the uninterrupted run's.
 * @module
 */
import { epochNumber, type StepRow, writeSteps } from "../../rundir/mod.ts";
import type { Plugin, PluginState } from "../hooks.ts";

/** The steps since the last row: sums the next row averages. */
interface Window {
  loss: number;
  correct: number;
  images: number;
  seconds: number;
}

const empty = (): Window => ({ loss: 0, correct: 0, images: 0, seconds: 0 });

/**
 * Writes `steps.csv` into `dir` (rundir/steps.ts): a row after every
 * `every` steps of the run and after each epoch's last step, with the mean
 * loss and accuracy of the steps since the previous row. The rows and the
 * open window are the plugin's state, so a checkpoint holds them and a
 * resumed run rewrites the file from there: after a resume it equals the
 * uninterrupted run's but for the clock's columns. Writes are atomic, at
 * most one at a time, the newest rows winning.
 *
 * @example
 * ```ts ignore
 * await train({ ...options, plugins: [stepTable(dir, 14), ...plugins] });
 * ```
 */
export function stepTable(dir: string, every: number): Plugin {
  if (!Number.isInteger(every) || every < 1) {
    throw new RangeError(`stepTable: 'every' must be an integer >= 1, got ${every}`);
  }
  let rows: StepRow[] = [];
  let win = empty();
  let carried = 0, t0 = performance.now();
  let busy: Promise<void> | undefined, again = false, failure: unknown;
  const elapsed = () => carried + (performance.now() - t0) / 1000;
  const flush = (): Promise<void> => {
    if (busy) return (again = true, busy);
    busy = (async () => {
      do {
        again = false;
        await writeSteps(dir, rows.slice()).catch((e) => void (failure ??= e));
      } while (again);
      busy = undefined;
    })();
    return busy;
  };
  const close = (epoch: number, step: number, lr: number) => {
    rows.push({
      step,
      epoch: epochNumber(epoch),
      loss: win.loss / win.images,
      acc: win.correct / win.images,
      lr,
      images_per_sec: win.seconds > 0 ? win.images / win.seconds : NaN,
      elapsed_s: Number(elapsed().toFixed(3)),
    });
    win = empty();
    void flush();
  };
  let last: { epoch: number; step: number; lr: number } | undefined;
  return {
    name: "observers/step-table",
    async setup() {
      t0 = performance.now();
      // A resumed run drops the rows its killed process wrote after the checkpoint.
      await flush();
    },
    onStepEnd(m, ctx) {
      win.loss += m.batchLoss * m.images;
      win.correct += m.batchAcc * m.images;
      win.images += m.images;
      win.seconds += m.stepSeconds;
      last = { epoch: m.epoch, step: ctx.globalStep + 1, lr: m.lr };
      if ((ctx.globalStep + 1) % every === 0 || m.step + 1 === m.steps) {
        close(m.epoch, ctx.globalStep + 1, m.lr);
      }
    },
    onStop(stop) {
      // A run counted in iterations may end inside an epoch; an interrupted one goes on later.
      if (!stop.interrupted && win.images > 0 && last) close(last.epoch, last.step, last.lr);
    },
    async teardown(ctx) {
      await flush();
      if (failure) ctx.log(`could not write steps.csv: ${(failure as Error).message ?? failure}`);
    },
    getState(): PluginState {
      return {
        rows: rows.map((r) => ({ ...r })),
        window: { ...win },
        elapsed: elapsed(),
      } as unknown as PluginState;
    },
    setState(state) {
      const s = state as unknown as { rows: StepRow[]; window: Window; elapsed: number };
      // JSON keeps NaN as null.
      rows = s.rows.map((r) => ({ ...r, images_per_sec: r.images_per_sec ?? NaN }));
      win = { ...s.window };
      carried = s.elapsed;
    },
  };
}
