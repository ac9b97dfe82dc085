/**
 * What oneDNN reaches here, timed on the spot: a matrix product (`dnnl_sgemm`,
 * or `dnnl_gemm_bf16bf16f32` in bf16) and each pass of a convolution of one
 * shape. A convolution is built as the training kernels build it
 * (`kernels/conv2d_primitives.ts`'s `describe`: layouts left to oneDNN, in
 * bf16 bf16 sources and fp32 results; the filter gradient of a strided 1x1
 * convolution as the stride-1 one `kernels/conv2d.ts` runs) and timed alone,
 * without the reorders into and out of those layouts: the rate its kernel
 * reaches, which bench/roofline.ts compares whole training steps with.
 *
 * oneDNN fixes a primitive's thread count when it creates it, so each
 * measurement pins oneDNN's threads first, builds, times, and then lets the
 * threads go back to where they were.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Dnnl } from "./onednn/api.ts";
import { Primitive, queryMdOf } from "./onednn/primitives.ts";
import { describe, type Kind } from "./kernels/conv2d_primitives.ts";
import { strided1x1, trainingLayouts } from "./kernels/conv2d.ts";
import { cpuBf16Support } from "./memory/precision.ts";
import { nativeDnnl, tryRegisterNative } from "./register.ts";

/** The precision of a measurement: bf16 reads bf16 operands and writes fp32 results. */
export type PeakPrecision = "fp32" | "bf16";

/** One of a convolution's three passes in a training step. */
export type ConvPass = "forward" | "backwardData" | "backwardWeights";

/** The passes in the order a step runs them. */
export const CONV_PASSES: readonly ConvPass[] = ["forward", "backwardData", "backwardWeights"];

/** A convolution as training runs it: an NHWC input, an HWIO filter, explicit pads. */
export interface ConvShape {
  /** Images per batch. */
  readonly batch: number;
  /** Input height. */
  readonly height: number;
  /** Input width. */
  readonly width: number;
  /** Channels in (the filter's third dimension). */
  readonly inChannels: number;
  /** Channels out: the filters. */
  readonly outChannels: number;
  /** Filter height and width. */
  readonly kernel: readonly [number, number];
  /** Steps over height and width. */
  readonly strides: readonly [number, number];
  /** Pads [top, bottom, left, right], as tfjs's `computeConv2DInfo` works them out. */
  readonly pads: readonly [number, number, number, number];
  /** Whether the forward pass adds a bias (tfjs's FusedConv2D). */
  readonly bias: boolean;
}

/** A row-major matrix product C (m×n) = op(A) · op(B), k the dimension summed over. */
export interface GemmShape {
  /** Rows of C. */
  readonly m: number;
  /** Columns of C. */
  readonly n: number;
  /** The dimension summed over. */
  readonly k: number;
  /** A is stored k×m. */
  readonly transA: boolean;
  /** B is stored n×k. */
  readonly transB: boolean;
}

/** What one measurement found. */
export interface PeakTiming {
  /** The best run, ms. */
  readonly ms: number;
  /** Timed runs, after one warm-up run. */
  readonly runs: number;
  /** Floating-point operations of one run (2 per multiply-add, direct convolution). */
  readonly flops: number;
  /** The threads oneDNN ran on. */
  readonly threads: number;
  /** oneDNN's implementation, e.g. `jit:avx512_core`; `sgemm` or `gemm_bf16bf16f32`. */
  readonly impl: string;
}

/** Options of {@link timeConv} and {@link timeGemm}. */
export interface PeakOptions {
  /** Milliseconds of timed runs to aim at (at least 3 runs, at most 50). @default 200 */
  readonly budgetMs?: number;
}

const MIN_RUNS = 3;
const MAX_RUNS = 50;

/** Best time of `run` after a warm-up run, over as many runs as fill `budgetMs`. */
function bestOf(run: () => void, budgetMs: number): { ms: number; runs: number } {
  run(); // the first run pays for page faults and oneDNN's lazy set-up
  let t = performance.now();
  run();
  let best = performance.now() - t;
  const want = Math.min(MAX_RUNS, Math.max(MIN_RUNS, Math.ceil(budgetMs / Math.max(best, 0.01))));
  for (let runs = 1; runs < want; runs++) {
    t = performance.now();
    run();
    best = Math.min(best, performance.now() - t);
  }
  return { ms: best, runs: want };
}

/** Bytes whose 16-bit halves are all bf16 numbers in [1, 2); read as fp32, also in [1, 2). */
function filled(bytes: number): Uint8Array {
  const out = new Uint8Array(bytes);
  const halves = new Uint16Array(out.buffer, 0, bytes >> 1);
  for (let i = 0; i < halves.length; i++) halves[i] = 0x3f80 | ((i * 37) & 0x7f);
  return out;
}

function checkCount(what: string, name: string, v: number, min = 1): void {
  if (!Number.isInteger(v) || v < min) {
    throw new RangeError(`${what}: '${name}' must be an integer of at least ${min}, got ${v}`);
  }
}

/** Runs `f` on oneDNN pinned to `threads` threads; throws when native cannot run or pin. */
async function onThreads<T>(
  threads: number,
  precision: PeakPrecision,
  what: string,
  f: (dnnl: Dnnl) => T,
): Promise<T & { threads: number }> {
  checkCount(what, "threads", threads);
  if (precision !== "fp32" && precision !== "bf16") {
    throw new RangeError(`${what}: 'precision' must be fp32 or bf16, got '${precision}'`);
  }
  const status = await tryRegisterNative();
  const dnnl = nativeDnnl();
  if (!status.ok || dnnl === undefined) {
    throw new Error(
      `${what}: the native backend is unavailable: ${status.ok ? "" : status.reason}`,
    );
  }
  if (precision === "bf16") {
    const s = cpuBf16Support(dnnl);
    if (!s.avx512Bf16 && !s.amxBf16) {
      throw new Error(
        `${what}: bf16 needs AVX512-BF16 or AMX-BF16, and this CPU (${s.model}, oneDNN ISA ` +
          `${s.isa}) has neither; measure fp32`,
      );
    }
  }
  const t = dnnl.threads, before = t.count;
  t.pin(threads);
  try {
    if (t.count !== threads) {
      throw new Error(
        `${what}: cannot run oneDNN on ${threads} threads: its OpenMP runtime (libgomp or ` +
          `libomp) could not be opened, so its threads stay at ${t.count}`,
      );
    }
    return { ...f(dnnl), threads };
  } finally {
    t.pin(before);
    t.pin(undefined);
  }
}

function convInfo(s: ConvShape): tf.backend_util.Conv2DInfo {
  const [top, bottom, left, right] = s.pads;
  return tf.backend_util.computeConv2DInfo(
    [s.batch, s.height, s.width, s.inChannels],
    [s.kernel[0], s.kernel[1], s.inChannels, s.outChannels],
    [s.strides[0], s.strides[1]],
    1,
    [[0, 0], [top, bottom], [left, right], [0, 0]],
  );
}

function checkConv(s: ConvShape): void {
  const what = "timeConv";
  for (const name of ["batch", "height", "width", "inChannels", "outChannels"] as const) {
    checkCount(what, name, s[name]);
  }
  s.kernel.forEach((v, i) => checkCount(what, `kernel[${i}]`, v));
  s.strides.forEach((v, i) => checkCount(what, `strides[${i}]`, v));
  s.pads.forEach((v, i) => checkCount(what, `pads[${i}]`, v, 0));
  if (
    s.height + s.pads[0] + s.pads[1] < s.kernel[0] || s.width + s.pads[2] + s.pads[3] < s.kernel[1]
  ) {
    throw new RangeError(
      `${what}: the ${s.kernel.join("x")} filter is larger than the padded ` +
        `${s.height}x${s.width} input`,
    );
  }
}

/**
 * The best time of one `pass` of convolution `shape` in `precision` on
 * `threads` oneDNN threads, with the layouts oneDNN chooses.
 *
 * @throws {RangeError} for a shape, pass, precision or thread count out of range
 * @throws {Error} when the native backend cannot run here, or bf16 cannot on this CPU
 * @example
 * ```ts ignore
 * const shape = { batch: 8, height: 8, width: 8, inChannels: 16, outChannels: 16,
 *   kernel: [3, 3], strides: [1, 1], pads: [1, 1, 1, 1], bias: false } as const;
 * const t = await timeConv(shape, "forward", "fp32", 1);
 * console.log(`${(t.flops / t.ms / 1e6).toFixed(1)} GFLOP/s (${t.impl})`);
 * ```
 */
export function timeConv(
  shape: ConvShape,
  pass: ConvPass,
  precision: PeakPrecision,
  threads: number,
  o: PeakOptions = {},
): Promise<PeakTiming> {
  checkConv(shape);
  if (!CONV_PASSES.includes(pass)) {
    throw new RangeError(
      `timeConv: 'pass' must be one of ${CONV_PASSES.join(", ")}, got '${pass}'`,
    );
  }
  const full = convInfo(shape);
  const flops = 2 * full.batchSize * full.outHeight * full.outWidth * full.outChannels *
    full.inChannels * full.filterHeight * full.filterWidth;
  return onThreads(threads, precision, "timeConv", (dnnl) => {
    // The filter gradient of a strided 1x1 convolution runs as a stride-1 one (kernels/conv2d.ts).
    const info = pass === "backwardWeights" && strided1x1(full)
      ? tf.backend_util.computeConv2DInfo(
        [full.batchSize, full.outHeight, full.outWidth, full.inChannels],
        [1, 1, full.inChannels, full.outChannels],
        1,
        1,
        "valid",
      )
      : full;
    const kind: Kind = pass === "backwardData"
      ? "bwdData"
      : pass === "backwardWeights"
      ? "bwdWeights"
      : shape.bias
      ? "fwdBias"
      : "fwd";
    // Direct convolution: the roofline's rates are direct convolution's, whatever training runs.
    const free = { ...trainingLayouts(), winograd: false, bf16: precision === "bf16" };
    const d = describe(dnnl, info, kind, free);
    const specs = d.args.map((a) => ({
      arg: a.arg,
      md: a.query === undefined ? a.plain : queryMdOf(dnnl, d.pd, a.query),
    }));
    const buffers = specs.map((s) => filled(dnnl.mdBytes(s.md)));
    const impl = dnnl.implName(d.pd);
    const prim = new Primitive(dnnl, d.pd, specs);
    dnnl.destroyPd(d.pd);
    return { ...bestOf(() => prim.execute(buffers), o.budgetMs ?? 200), flops, impl };
  });
}

/**
 * The best time of matrix product `shape` in `precision` (bf16: A and B bf16,
 * C fp32) on `threads` oneDNN threads.
 *
 * @throws {RangeError} for a shape, precision or thread count out of range
 * @throws {Error} when the native backend cannot run here, or bf16 cannot on this CPU
 * @example
 * ```ts ignore
 * const t = await timeGemm({ m: 2048, n: 2048, k: 2048, transA: false, transB: false }, "fp32", 2);
 * console.log(`${(t.flops / t.ms / 1e6).toFixed(0)} GFLOP/s`);
 * ```
 */
export function timeGemm(
  shape: GemmShape,
  precision: PeakPrecision,
  threads: number,
  o: PeakOptions = {},
): Promise<PeakTiming> {
  for (const name of ["m", "n", "k"] as const) checkCount("timeGemm", name, shape[name]);
  const { m, n, k, transA, transB } = shape;
  const [N, T] = [78, 84]; // 'N', 'T'
  const lda = transA ? m : k, ldb = transB ? k : n;
  return onThreads(threads, precision, "timeGemm", (dnnl) => {
    const c = new Float32Array(m * n);
    const call = precision === "fp32"
      ? (() => {
        const a = new Float32Array(filled(4 * m * k).buffer);
        const b = new Float32Array(filled(4 * k * n).buffer);
        return () => dnnl.sgemm(transA ? T : N, transB ? T : N, m, n, k, a, lda, b, ldb, c, n);
      })()
      : (() => {
        const a = new Uint16Array(filled(2 * m * k).buffer);
        const b = new Uint16Array(filled(2 * k * n).buffer);
        return () => dnnl.gemmBf16(transA ? T : N, transB ? T : N, m, n, k, a, lda, b, ldb, c, n);
      })();
    const impl = precision === "fp32" ? "sgemm" : "gemm_bf16bf16f32";
    const run = () => {
      const status = call();
      if (status !== 0) throw new Error(`oneDNN ${impl} failed with status ${status}`);
    };
    return { ...bestOf(run, o.budgetMs ?? 200), flops: 2 * m * n * k, impl };
  });
}
