/**
 * What the metric-watching callbacks share: the monitor/mode options, the
 * improvement test (Keras semantics) and state checking.
 * @module
 */
import { z } from "zod";
import { epochNumber } from "../../rundir/epochs.ts";
import type { EpochContext, EpochMetrics } from "../../train/types.ts";
export { parseState } from "../_state.ts";

/** Option schema of the watched metric. */
export const monitorOption: z.ZodDefault<z.ZodString> = z.string().min(1).default("val_loss");

/** Option schema of the direction of improvement. */
export const modeOption: z.ZodDefault<z.ZodEnum<{ min: "min"; max: "max"; auto: "auto" }>> = z
  .enum(["min", "max", "auto"]).default("auto");

/** `auto` means `max` for accuracies and `min` for everything else, as in Keras. */
export function resolveMode(monitor: string, mode: "min" | "max" | "auto"): "min" | "max" {
  if (mode !== "auto") return mode;
  return monitor.includes("acc") ? "max" : "min";
}

/** The value a mode starts from: nothing is worse. */
export function worst(mode: "min" | "max"): number {
  return mode === "min" ? Infinity : -Infinity;
}

/** Whether `current` beats `best` by more than `minDelta` (never true for NaN). */
export function improves(
  current: number,
  best: number,
  mode: "min" | "max",
  minDelta: number,
): boolean {
  return mode === "min" ? current < best - minDelta : current > best + minDelta;
}

/**
 * The watched metric of an epoch.
 * @throws {RangeError} when the epoch has no such metric, listing those it has.
 */
export function readMetric(plugin: string, monitor: string, metrics: EpochMetrics): number {
  const value = metrics[monitor];
  if (typeof value !== "number") {
    throw new RangeError(
      `${plugin}: monitor '${monitor}' is not a metric of the run; available: ` +
        Object.keys(metrics).join(", "),
    );
  }
  return value;
}

/** Formats an epoch for log lines, one-based: `epoch 3/30`. */
export function epochLabel(ctx: Pick<EpochContext, "epoch" | "epochs">): string {
  return `epoch ${epochNumber(ctx.epoch)}/${ctx.epochs}`;
}

/** A best value for JSON state: infinities become null. */
export function encodeBest(best: number): number | null {
  return Number.isFinite(best) ? best : null;
}
