/**
 * The rates `deno task bench peak` measured, kept in one file of the data
 * cache folder (`peak-rates.json`), so that bench/roofline.ts finds them on
 * the next run. This module alone reads and writes it. A rate is filed under
 * the machine (a fingerprint of the CPU's model and vector extensions and of
 * oneDNN's version and instruction set, as backends/auto_cache.ts keys its
 * entries), the thread count, the precision, the operation's shape and the
 * pass. The file is read as a regular file within {@linkcode PEAK_STORE_BYTES}
 * (core/bounded_read.ts) and validated: a damaged one is ignored with a
 * one-line note and rewritten by the next measurement.
 * @module
 */
import { join } from "node:path";
import { z } from "zod";
import { cacheFingerprint, replaceCacheFile } from "../backends/auto_cache.ts";
import { cpuFacts } from "../backends/cpu_facts.ts";
import type { ConvPass, ConvShape, GemmShape, PeakPrecision } from "../backends/native/mod.ts";
import { readBoundedText } from "../core/bounded_read.ts";

/** The store's file name inside the data cache folder. */
export const PEAK_STORE_FILE = "peak-rates.json";

/** Entries kept; the oldest go first. */
export const PEAK_STORE_ENTRIES = 4096;

/** Bytes read at most: four times what {@linkcode PEAK_STORE_ENTRIES} entries take. */
export const PEAK_STORE_BYTES: number = 4 * 2 ** 20;

/** An operation whose rate is measured: a convolution or a matrix product. */
export type PeakOp =
  | { readonly kind: "conv"; readonly shape: ConvShape }
  | { readonly kind: "gemm"; readonly shape: GemmShape };

/** A convolution's pass, or `product` for a matrix product (which has one). */
export type PeakPass = ConvPass | "product";

/** What a rate is filed under. */
export interface PeakKey {
  /** {@linkcode peakMachine}'s fingerprint. */
  readonly machine: string;
  /** oneDNN threads it ran on. */
  readonly threads: number;
  /** fp32, or bf16 (bf16 operands, fp32 results). */
  readonly precision: PeakPrecision;
  /** {@linkcode opKey} of the operation. */
  readonly op: string;
  /** Which pass of it. */
  readonly pass: PeakPass;
}

/** One measured rate. */
export interface PeakEntry extends PeakKey {
  /** oneDNN's version, for a person reading the file. */
  readonly onednn: string;
  /** GFLOP/s of the best run. */
  readonly gflops: number;
  /** That run, ms. */
  readonly ms: number;
  /** Timed runs. */
  readonly runs: number;
  /** oneDNN's implementation. */
  readonly impl: string;
  /** When (ISO time). */
  readonly measured: string;
}

const entry = z.strictObject({
  machine: z.string().regex(/^[0-9a-f]{64}$/),
  threads: z.number().int().min(1).max(4096),
  precision: z.enum(["fp32", "bf16"]),
  op: z.string().min(1).max(200),
  pass: z.enum(["forward", "backwardData", "backwardWeights", "product"]),
  onednn: z.string().max(40),
  gflops: z.number().positive().finite(),
  ms: z.number().positive().finite(),
  runs: z.number().int().positive(),
  impl: z.string().max(200),
  measured: z.string().max(40),
});

const file = z.strictObject({
  format: z.literal(1),
  entries: z.array(entry).max(PEAK_STORE_ENTRIES),
});

/**
 * The text that names an operation's shape in the store, e.g.
 * `conv 64x32x32x64 k3x3 s1x1 p1,1,1,1 o64` (batch×height×width×channels in,
 * filter, strides, pads top,bottom,left,right, channels out, `+bias`) or
 * `gemm 2048x2048x2048 NN` (m×n×k, transposes).
 *
 * @example
 * ```ts
 * import { opKey } from "./peak_store.ts";
 * console.log(opKey({ kind: "gemm", shape: { m: 64, n: 10, k: 512, transA: false, transB: true } }));
 * // gemm 64x10x512 NT
 * ```
 */
export function opKey(op: PeakOp): string {
  if (op.kind === "gemm") {
    const s = op.shape;
    return `gemm ${s.m}x${s.n}x${s.k} ${s.transA ? "T" : "N"}${s.transB ? "T" : "N"}`;
  }
  const s = op.shape;
  return `conv ${s.batch}x${s.height}x${s.width}x${s.inChannels} k${s.kernel.join("x")} ` +
    `s${s.strides.join("x")} p${s.pads.join(",")} o${s.outChannels}${s.bias ? " +bias" : ""}`;
}

/** The fingerprint of this machine with oneDNN `version` on instruction set `isa`. */
export function peakMachine(version: string, isa: string): Promise<string> {
  const cpu = cpuFacts();
  return cacheFingerprint([cpu.model, cpu.isa, cpu.threads, version, isa]);
}

const same = (a: PeakKey, b: PeakKey) =>
  a.machine === b.machine && a.threads === b.threads && a.precision === b.precision &&
  a.op === b.op && a.pass === b.pass;

/** The entry filed under `key` among `entries`, if any. */
export function findPeak(entries: readonly PeakEntry[], key: PeakKey): PeakEntry | undefined {
  return entries.findLast((e) => same(e, key));
}

/**
 * The entries of the store in folder `dir`: none when the file is missing,
 * and none, with one line to `note` naming the file and what is wrong, when
 * it is not a regular file, larger than {@linkcode PEAK_STORE_BYTES}, not
 * JSON or not what this module writes.
 */
export async function readPeakStore(
  dir: string,
  note: (line: string) => void = () => {},
): Promise<PeakEntry[]> {
  const path = join(dir, PEAK_STORE_FILE);
  const ignore = (why: string) => {
    note(`peak: ignoring ${path}: ${why.split("\n")[0]}; the next measurement rewrites it`);
    return [];
  };
  let text: string;
  try {
    text = await readBoundedText(path, PEAK_STORE_BYTES, "peak store");
  } catch (error) {
    return error instanceof Deno.errors.NotFound ? [] : ignore((error as Error).message);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return ignore(`not JSON (${(error as Error).message})`);
  }
  const checked = file.safeParse(parsed);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    return ignore(`${issue.path.join(".") || "the file"}: ${issue.message}`);
  }
  return checked.data.entries;
}

/**
 * Files `fresh` in the store in `dir`, replacing entries of the same keys and
 * keeping the newest {@linkcode PEAK_STORE_ENTRIES}. A store that cannot be
 * written is not an error: `note` hears it.
 */
export async function writePeakStore(
  dir: string,
  fresh: readonly PeakEntry[],
  note: (line: string) => void = () => {},
): Promise<void> {
  const path = join(dir, PEAK_STORE_FILE);
  try {
    const kept = (await readPeakStore(dir)).filter((e) => !fresh.some((f) => same(e, f)));
    const entries = file.parse({
      format: 1,
      entries: [...kept, ...fresh].slice(-PEAK_STORE_ENTRIES),
    }).entries;
    await replaceCacheFile(path, JSON.stringify({ format: 1, entries }, null, 1) + "\n");
  } catch (error) {
    note(`peak: could not store the rates in ${path}: ${(error as Error).message.split("\n")[0]}`);
  }
}
