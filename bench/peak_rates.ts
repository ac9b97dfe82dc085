/**
 * The rates a roofline needs, looked up in the store (bench/peak_store.ts) or
 * measured now through backends/native/peak.ts and stored: the one path by
 * which both `deno task bench peak` and bench/roofline.ts get a rate.
 * @module
 */
import {
  type ConvPass,
  type PeakPrecision,
  timeConv,
  timeGemm,
  tryRegisterNative,
} from "../backends/native/mod.ts";
import { defaultCacheDir } from "../data/cache_dir.ts";
import {
  findPeak,
  opKey,
  type PeakEntry,
  peakMachine,
  type PeakOp,
  type PeakPass,
  readPeakStore,
  writePeakStore,
} from "./peak_store.ts";
import type { TrainingCost } from "./training_cost.ts";

/** A rate to look up (or measure): an operation, its pass, the precision it runs in. */
export interface PeakNeed {
  /** The convolution or matrix product. */
  readonly op: PeakOp;
  /** Its pass (`product` for a matrix product). */
  readonly pass: PeakPass;
  /** The precision it runs in. */
  readonly precision: PeakPrecision;
}

/** Options of {@link peakRates} (and of bench/roofline.ts's `rooflineMs`). */
export interface PeakRateOptions {
  /** Folder of the store. @default the data cache folder (data/cache_dir.ts) */
  readonly cacheDir?: string;
  /** Progress and notes, line by line. @default nothing */
  readonly log?: (line: string) => void;
  /** Measure every rate again instead of reading stored ones. @default false */
  readonly remeasure?: boolean;
  /** Milliseconds of timed runs per rate (backends/native/peak.ts). @default 150 */
  readonly budgetMs?: number;
}

/** The key of a need in {@link peakRates}'s answer. */
export const needKey = (n: PeakNeed): string => `${opKey(n.op)}|${n.pass}|${n.precision}`;

/** The store's folder: the given one, else the data cache folder, else none. */
function storeFolder(o: PeakRateOptions, log: (line: string) => void): string | undefined {
  if (o.cacheDir !== undefined) return o.cacheDir;
  try {
    return defaultCacheDir();
  } catch (e) {
    log(`peak: the rates are not stored: ${(e as Error).message}`);
    return undefined;
  }
}

/**
 * The rate of every need on `threads` oneDNN threads, by {@link needKey}:
 * stored ones, and the others measured now (progress lines to `o.log`) and stored.
 *
 * @throws {Error} when the native backend cannot run here
 */
export async function peakRates(
  needs: readonly PeakNeed[],
  threads: number,
  o: PeakRateOptions = {},
): Promise<Map<string, PeakEntry>> {
  const log = o.log ?? (() => {});
  const status = await tryRegisterNative();
  if (!status.ok) throw new Error(`roofline: the native backend is unavailable: ${status.reason}`);
  const machine = await peakMachine(status.version, status.bf16Support.isa);
  const dir = storeFolder(o, log);
  const stored = dir === undefined || o.remeasure ? [] : await readPeakStore(dir, log);
  const out = new Map<string, PeakEntry>();
  const fresh: PeakEntry[] = [];
  for (const need of needs) {
    const k = needKey(need);
    if (out.has(k)) continue;
    const key = {
      machine,
      threads,
      precision: need.precision,
      op: opKey(need.op),
      pass: need.pass,
    };
    let found = findPeak(stored, key);
    if (found === undefined) {
      const budget = { budgetMs: o.budgetMs ?? 150 };
      const t = need.op.kind === "conv"
        ? await timeConv(need.op.shape, need.pass as ConvPass, need.precision, threads, budget)
        : await timeGemm(need.op.shape, need.precision, threads, budget);
      found = {
        ...key,
        onednn: status.version,
        gflops: Number((t.flops / t.ms / 1e6).toPrecision(5)),
        ms: Number(t.ms.toPrecision(5)),
        runs: t.runs,
        impl: t.impl,
        measured: new Date().toISOString(),
      };
      fresh.push(found);
      log(
        `peak: ${key.op} ${need.pass} ${need.precision}, ${threads} thread${
          threads === 1 ? "" : "s"
        }: ${found.gflops.toFixed(1)} GFLOP/s (${t.impl}, best of ${t.runs})`,
      );
    }
    out.set(k, found);
  }
  if (dir !== undefined && fresh.length > 0) await writePeakStore(dir, fresh, log);
  return out;
}

/** The needs of a step's passes in `precision`: matrix products stay fp32 on native. */
export function needsOf(cost: TrainingCost, precision: PeakPrecision): PeakNeed[] {
  return cost.passes.map((p) => ({
    op: p.op,
    pass: p.op.kind === "gemm" ? "product" : p.pass,
    precision: p.op.kind === "gemm" ? "fp32" : precision,
  }));
}
