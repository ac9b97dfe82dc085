/**
 * The observer that writes a finished run's summary.json and confusion.csv.
 * @module
 */
import type { ModelSpec } from "../../models/spec.ts";
import type { ModelSummary } from "../../models/summary.ts";
import type { ArchitectureFacts, RunSummary } from "../../rundir/summary.ts";
import { writeSummary } from "../../rundir/summary.ts";
import { epochNumber } from "../../rundir/epochs.ts";
import { writeConfusion } from "../../rundir/tables.ts";
import type { Plugin } from "../hooks.ts";
import type { EpochMetrics, RunEnd } from "../types.ts";

/**
 * What a run was, known before it starts (the fields of {@linkcode RunSummary}
 * that do not come from its events).
 */
export type RunFacts = Pick<
  RunSummary,
  | "name"
  | "model"
  | "backend"
  | "params"
  | "trainable_params"
  | "architecture"
  | "seed"
  | "recipe"
  | "environment"
>;

/** Skip on/off, widths, depth and more of a spec as built (after ablations). */
export function architectureFacts(spec: ModelSpec, size: ModelSummary): ArchitectureFacts {
  const widths = spec.family === "resnet"
    ? [spec.stem.filters, ...spec.stages.map((s) => s.filters)]
    : spec.blocks.map((b) => b.filters);
  return {
    family: spec.family,
    skip: spec.family === "resnet" && spec.skip,
    batch_norm: spec.batchNorm,
    depth: size.depth,
    widths,
    dropout: spec.dropout,
  };
}

/** The summary of a run from its facts and its run-end event. */
export function summarize(facts: RunFacts, end: RunEnd, classNames: readonly string[]): RunSummary {
  const h: readonly EpochMetrics[] = end.history;
  const best = h.reduce<EpochMetrics | undefined>(
    (b, m) => (b === undefined || m.val_loss < b.val_loss ? m : b),
    undefined,
  );
  const timing = end.tables.timing ?? [];
  const peakRss = timing.map((r) => Number(r.peak_rss_bytes ?? 0));
  // The last epoch's row holds the process peak at the run's end ("" where unavailable: NaN).
  const lastMb = (key: string) =>
    timing.length && timing.at(-1)![key] !== "" ? Number(timing.at(-1)![key]) / 2 ** 20 : NaN;
  return {
    ...facts,
    epochs_run: h.length,
    best_epoch: best ? epochNumber(best.epoch) : NaN,
    test_acc: end.test?.acc ?? NaN,
    test_loss: end.test?.loss ?? NaN,
    train_minutes: (end.endedAt.getTime() - end.startedAt.getTime()) / 60000,
    seconds_per_epoch: h.length ? h.reduce((s, m) => s + m.seconds, 0) / h.length : NaN,
    peak_memory_mb: peakRss.length ? Math.max(...peakRss) / 2 ** 20 : NaN,
    process_peak_rss_mb: lastMb("process_peak_rss_bytes"),
    process_peak_increase_mb: lastMb("process_peak_increase_bytes"),
    stopped_reason: end.stop.reason,
    class_names: [...classNames],
    started_at: end.startedAt.toISOString(),
    ended_at: end.endedAt.toISOString(),
  };
}

/**
 * At the end of a run that was not interrupted, writes `confusion.csv` (when
 * a test set was evaluated) and `summary.json` into `dir`.
 *
 * @example
 * ```ts ignore
 * const facts = { name, model, backend, params, trainable_params,
 *   architecture: architectureFacts(spec, summarizeModel(model)), seed, recipe,
 *   environment: await environmentFacts(backend.detail) };
 * await train({ ...options, plugins: [...plugins, runSummary(dir, facts)] });
 * ```
 */
export function runSummary(dir: string, facts: RunFacts): Plugin {
  return {
    name: "observers/run-summary",
    async onRunEnd(end, ctx) {
      if (end.stop.interrupted) return;
      if (end.test) {
        await writeConfusion(dir, { classNames: ctx.classNames, matrix: end.test.confusion });
      }
      await writeSummary(dir, summarize(facts, end, ctx.classNames));
    },
  };
}
