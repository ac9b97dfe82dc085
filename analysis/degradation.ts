/**
 * The degradation study read from suite directories (He et al. 2016, §4.2):
 * each member's error curve against iterations (curve.csv), its final
 * errors, and its gradient norms at initialisation on the main-path axis.
 * @module
 */
import { join } from "node:path";
import {
  hasRunFile,
  readRunFiles,
  SUITE_FILES,
  suiteMemberDirs,
  tableFile,
  type TableRow,
} from "../rundir/mod.ts";
import { maxOf, minOf } from "../core/extent.ts";

/** He et al. 2016, Table 6: CIFAR-10 test error (%) of ResNets by depth (110: best of 5 runs). */
export const HE_RESNET_TEST_ERROR: Readonly<Record<number, number>> = {
  20: 8.75,
  32: 7.51,
  44: 7.17,
  56: 6.97,
  110: 6.43,
};

/** One point of a member's curve: errors in [0, 1] after `iteration` steps. */
export interface CurvePoint {
  /** Steps trained. */
  readonly iteration: number;
  /** Training error over the steps since the previous point (augmented batches, training mode). */
  readonly train_error: number;
  /** Error on the validation images at this point. */
  readonly val_error: number;
}

/** One trained member of a degradation suite. */
export interface DegradationRun {
  /** The member's run directory. */
  readonly dir: string;
  /** Run name, e.g. `plain56`. */
  readonly name: string;
  /** `plain` or `resnet`: whether the net adds its shortcuts. */
  readonly family: "plain" | "resnet";
  /** Weight layers on the main path. */
  readonly depth: number;
  /** Seed of the run. */
  readonly seed: number;
  /** The curve, iteration order. */
  readonly curve: readonly CurvePoint[];
  /** Test error at the end, or NaN without a summary. */
  readonly testError: number;
  /** Gradient L2 norm by main-path depth at initialisation (first batch, before any update). */
  readonly initGradients: readonly { readonly depth: number; readonly norm: number }[];
}

/** The curve of the run in `dir` from its recorded `curve` table. */
function curveOf(dir: string, rows: readonly TableRow[]): CurvePoint[] {
  const columns = ["iteration", "train_error", "val_error"] as const;
  const missing = rows.length ? columns.find((c) => typeof rows[0][c] !== "number") : undefined;
  if (missing) {
    throw new SyntaxError(
      `Cannot read '${join(dir, tableFile("curve"))}': it has no '${missing}' column of numbers`,
    );
  }
  return rows.map((r) => ({
    iteration: r.iteration as number,
    train_error: r.train_error as number,
    val_error: r.val_error as number,
  }));
}

/**
 * Reads every member of the suite directories given (one per seed, say; a
 * run directory counts as a suite of one) that recorded a curve (`eval_every` set): its family and depth from
 * summary.json, curve.csv, and the `init` rows of gradients.csv. Members
 * without a curve (a suite of epoch-based recipes) are left out, so the
 * result may be empty.
 */
export async function readDegradation(suiteDirs: readonly string[]): Promise<DegradationRun[]> {
  const out: DegradationRun[] = [];
  for (const suite of suiteDirs) {
    const isSuite = await Deno.stat(join(suite, SUITE_FILES.suite)).then(() => true, () => false);
    for (const dir of isSuite ? await suiteMemberDirs(suite) : [suite]) {
      if (!(await hasRunFile(dir, "summary"))) continue;
      const run = await readRunFiles(dir);
      if (run.tables.curve === undefined) continue;
      const s = run.summary!;
      const grads = run.gradients;
      const byDepth = new Map<number, number>();
      // Kernel and bias of one layer share a depth: their norms combine as one vector's.
      for (const g of grads) {
        if (g.point === "init" && g.path === "main") {
          byDepth.set(g.depth, Math.hypot(byDepth.get(g.depth) ?? 0, g.norm));
        }
      }
      out.push({
        dir,
        name: run.name,
        family: s.architecture.skip ? "resnet" : "plain",
        depth: s.architecture.depth,
        seed: s.seed,
        curve: curveOf(dir, run.tables.curve),
        testError: 1 - s.test_acc,
        initGradients: [...byDepth].sort((a, b) => a[0] - b[0]).map(([depth, norm]) => ({
          depth,
          norm,
        })),
      });
    }
  }
  return out;
}

/** A row of the table of final errors: one architecture, over its seeds. */
export interface DegradationRow {
  /** `plain` or `resnet`. */
  readonly family: "plain" | "resnet";
  /** Weight layers. */
  readonly depth: number;
  /** Seeds averaged. */
  readonly seeds: number;
  /** Mean final training error ({@linkcode finalTrainError}), in [0, 1]. */
  readonly trainError: number;
  /** Half the range of the final training error over seeds (0 for one seed). */
  readonly trainSpread: number;
  /** Mean final validation error. */
  readonly valError: number;
  /** Mean test error. */
  readonly testError: number;
  /** Half the range of the test error over seeds. */
  readonly testSpread: number;
  /** He et al.'s test error (%) for a ResNet of this depth, if they report one. */
  readonly paperTestError: number | undefined;
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/**
 * Training error at the end of a curve: the last window's, merged (weighted by
 * steps) with the one before when the run's last steps made a window under
 * half the usual length (64,000 × budget rarely divides by eval_every).
 */
export function finalTrainError(curve: readonly CurvePoint[]): number {
  const n = curve.length;
  const last = curve[n - 1];
  if (n < 2) return last.train_error;
  const prev = curve[n - 2];
  const steps = last.iteration - prev.iteration;
  const before = prev.iteration - (n > 2 ? curve[n - 3].iteration : 0);
  if (steps * 2 >= before) return last.train_error;
  return (last.train_error * steps + prev.train_error * before) / (steps + before);
}
const halfRange = (xs: readonly number[]) => (maxOf(xs) - minOf(xs)) / 2;

/** Final errors by family and depth (plain first, then ResNets, by depth), averaged over seeds. */
export function degradationTable(runs: readonly DegradationRun[]): DegradationRow[] {
  const groups = new Map<string, DegradationRun[]>();
  for (const r of runs) {
    const key = `${r.family}:${r.depth}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups.values()].map((g) => {
    const last = g.map((r) => r.curve.at(-1)!);
    const train = g.map((r) => finalTrainError(r.curve)), test = g.map((r) => r.testError);
    const { family, depth } = g[0];
    return {
      family,
      depth,
      seeds: g.length,
      trainError: mean(train),
      trainSpread: halfRange(train),
      valError: mean(last.map((p) => p.val_error)),
      testError: mean(test),
      testSpread: halfRange(test),
      paperTestError: family === "resnet" ? HE_RESNET_TEST_ERROR[depth] : undefined,
    };
  }).sort((a, b) => (a.family === b.family ? a.depth - b.depth : a.family === "plain" ? -1 : 1));
}
