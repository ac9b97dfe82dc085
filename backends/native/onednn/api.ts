/**
 * What the kernels ask of oneDNN, the same for both C API generations. oneDNN
 * 2.x builds an operation descriptor (a struct of fixed size) and then a
 * primitive descriptor from it, and keeps memory descriptors in caller-owned
 * structs; 3.x creates primitive descriptors straight from arguments and
 * makes memory descriptors opaque handles. `v2/bind.ts` and `v3/bind.ts`
 * implement {@link Dnnl} over each, with each version's own enum values
 * ({@link Enums}); `open.ts` picks one from the library's `dnnl_version`.
 *
 * @module
 */
import type { Threads } from "./threads.ts";
import { pointerAt } from "../../../core/libc.ts";

/**
 * A memory descriptor: a 2.x `dnnl_memory_desc_t` struct (its bytes) or a 3.x
 * handle. Only the {@link Dnnl} that made it may read it.
 */
export type Md = Uint8Array | Deno.PointerObject;

/** A primitive descriptor handle. */
export type Pd = Deno.PointerValue;

/**
 * One post-op: an eltwise function of the result, a binary op with a second
 * tensor, or a sum: the result added to `scale` times what the destination
 * held before the run.
 */
export type PostOp =
  | { eltwise: number; alpha: number; beta?: number }
  | { binary: number; md: Md }
  | { sum: number };

/**
 * Primitive attributes: post-ops, and scales of whole arguments. oneDNN 2.x
 * keeps scales in the attribute; 3.x reads them at run time from memory
 * arguments (`DNNL_ARG_ATTR_SCALES | arg`), which {@link constants} holds.
 */
export interface Attr {
  /** The `dnnl_primitive_attr_t`. */
  readonly ptr: Deno.PointerValue;
  /** Extra arguments a primitive built with it must pass at every run. */
  readonly constants: readonly Constant[];
}

/** An argument whose values never change (a 3.x runtime scale). */
export interface Constant {
  readonly arg: number;
  readonly md: Md;
  readonly data: Float32Array;
}

/** Options of the primitive-descriptor makers. */
export interface PdOptions {
  /** Attributes (post-ops, scales). */
  readonly attr?: Attr;
  /** The forward primitive descriptor a backward one is made for. */
  readonly hint?: Pd;
  /** Implementations to skip while another exists (by `impl_info_str`). */
  readonly avoid?: (impl: string) => boolean;
  /** A convolution's algorithm (`E.convDirect`, `E.convWinograd`). @default E.convDirect */
  readonly algorithm?: number;
}

/** Strides, dilations (0 = dense) and padding of a 2-D convolution or pooling. */
export interface Geometry2d {
  readonly strides: readonly number[];
  /** Pooling window; unused by convolutions. */
  readonly kernel?: readonly number[];
  readonly dilates: readonly number[];
  readonly padL: readonly number[];
  readonly padR: readonly number[];
}

/** Enum values of the opened library's API generation (from its headers). */
export interface Enums {
  readonly f32: number;
  readonly bf16: number;
  readonly tagAny: number;
  readonly tagA: number;
  readonly tagAbc: number;
  readonly tagNhwc: number;
  readonly tagHwio: number;
  /** `dnnl_aBcd4b`, `dnnl_aBcd8b`, `dnnl_aBcd16b` (nChw4c, nChw8c, nChw16c): channels in blocks. */
  readonly tagChannelBlocks: Readonly<Record<4 | 8 | 16, number>>;
  readonly forwardTraining: number;
  readonly forwardInference: number;
  readonly backward: number;
  readonly convDirect: number;
  readonly convWinograd: number;
  readonly poolMax: number;
  readonly poolAvgInclude: number;
  readonly poolAvgExclude: number;
  readonly eltwiseRelu: number;
  readonly eltwiseSquare: number;
  readonly eltwiseLinear: number;
  readonly eltwiseSqrt: number;
  readonly binaryAdd: number;
  readonly binaryMul: number;
  readonly binaryMax: number;
  readonly binaryDiv: number;
  readonly binarySub: number;
  readonly querySrcMd: number;
  readonly queryDiffSrcMd: number;
  readonly queryWeightsMd: number;
  readonly queryDiffWeightsMd: number;
  readonly queryDstMd: number;
  readonly queryDiffDstMd: number;
  readonly queryWorkspaceMd: number;
  readonly argSrc: number;
  readonly argSrc1: number;
  readonly argDst: number;
  readonly argWeights: number;
  readonly argBias: number;
  readonly argDiffSrc: number;
  readonly argDiffDst: number;
  readonly argDiffWeights: number;
  readonly argWorkspace: number;
  readonly argMean: number;
  readonly argVariance: number;
  readonly argScale: number;
  readonly argShift: number;
  readonly argDiffScale: number;
  readonly argDiffShift: number;
  /** `DNNL_ARG_ATTR_MULTIPLE_POST_OP_BASE`: post-op `i`'s operand is `base·(i+1) | DNNL_ARG_SRC_1`. */
  readonly postOpArgBase: number;
  /** Batch-norm flags. */
  readonly useGlobalStats: number;
  readonly useScale: number;
  readonly useShift: number;
  /** ReLU fused into the batch norm; training keeps a workspace of where it passed. */
  readonly fuseNormRelu: number;
}

/** The opened oneDNN library: engine, stream, threads, and the calls the kernels make. */
export interface Dnnl {
  /** The C API generation: 2 (`*_desc_init`) or 3 (`*_primitive_desc_create`). */
  readonly generation: 2 | 3;
  /** The file or name it was opened as. */
  readonly path: string;
  /** e.g. `3.7.1`. */
  readonly version: string;
  readonly engine: Deno.PointerValue;
  readonly stream: Deno.PointerValue;
  /** oneDNN's OpenMP threads: their count now and how they wait. */
  readonly threads: Threads;
  /** This generation's enum values. */
  readonly E: Enums;
  /** `dnnl_get_effective_cpu_isa()`: a `dnnl_cpu_isa_t` of this generation. */
  isa(): number;
  /** A memory descriptor of logical `shape` in format `tag`, of data type `dt` (default f32). */
  memoryDesc(shape: readonly number[], tag: number, dt?: number): Md;
  /**
   * A plain descriptor of `shape` whose element `i` lies `Σ i[k]·strides[k]`
   * elements from the start; strides may overlap (a view of windows, read by
   * a reorder).
   */
  memoryDescStrided(shape: readonly number[], strides: readonly number[], dt?: number): Md;
  /** Whether two memory descriptors describe the same layout. */
  mdEqual(a: Md, b: Md): boolean;
  /** Bytes of memory `md` needs. */
  mdBytes(md: Md): number;
  /** A copy of the memory descriptor `pd` reports for `query`, or null when it has none. */
  queryMd(pd: Pd, query: number): Md | null;
  /** The implementation `pd` chose, e.g. `jit:avx2` or `brg_conv_fwd:avx512_core`. */
  implName(pd: Pd): string;
  /** Frees a primitive descriptor. */
  destroyPd(pd: Pd): void;
  /** Attributes with `postOps` and per-argument `scales` (`[arg, value]`). */
  attr(postOps: readonly PostOp[], scales?: readonly (readonly [number, number])[]): Attr;
  convForward(
    prop: number,
    src: Md,
    wei: Md,
    bias: Md | null,
    dst: Md,
    g: Geometry2d,
    o?: PdOptions,
  ): Pd;
  convBackwardData(diffSrc: Md, wei: Md, diffDst: Md, g: Geometry2d, o: PdOptions): Pd;
  convBackwardWeights(src: Md, diffWei: Md, diffDst: Md, g: Geometry2d, o: PdOptions): Pd;
  poolForward(prop: number, alg: number, src: Md, dst: Md, g: Geometry2d, o?: PdOptions): Pd;
  poolBackward(alg: number, diffSrc: Md, diffDst: Md, g: Geometry2d, o: PdOptions): Pd;
  bnForward(prop: number, data: Md, eps: number, flags: number, o?: PdOptions): Pd;
  bnBackward(data: Md, eps: number, flags: number, o: PdOptions): Pd;
  binary(alg: number, src0: Md, src1: Md, dst: Md, o?: PdOptions): Pd;
  eltwiseForward(prop: number, alg: number, data: Md, alpha: number, beta: number): Pd;
  /** The backward pass of eltwise `alg` on `data`; a forward `hint` is made where 3.x needs one. */
  eltwiseBackward(alg: number, data: Md, alpha: number, beta: number): Pd;
  /** A reorder from layout `from` to `to`. */
  reorder(from: Md, to: Md): Pd;
  /** A primitive from `pd`. */
  primitiveCreate(pd: Pd): Deno.PointerValue;
  /** A memory object of `md` with no data yet (or at `data`). */
  memoryCreate(md: Md, data?: ArrayBufferView): Deno.PointerValue;
  /** Points memory object `mem` at `data`. */
  setDataHandle(mem: Deno.PointerValue, data: ArrayBufferView): void;
  /** Runs `prim` with `count` `dnnl_exec_arg_t`s packed in `args`. */
  execute(prim: Deno.PointerValue, count: number, args: Uint8Array): void;
  /**
   * `C = A·B + beta·C` (row-major, `trans*` 'N' or 'T' as char codes, `beta`
   * 0 unless given); returns oneDNN's status.
   */
  sgemm(
    transA: number,
    transB: number,
    m: number,
    n: number,
    k: number,
    a: Float32Array,
    lda: number,
    b: Float32Array,
    ldb: number,
    c: Float32Array,
    ldc: number,
    beta?: number,
  ): number;
  /**
   * {@link sgemm} with A and B in bf16 (the upper halves of fp32 values, as
   * uint16) and C in fp32; returns oneDNN's status. Throws where the library
   * lacks `dnnl_gemm_bf16bf16f32`.
   */
  gemmBf16(
    transA: number,
    transB: number,
    m: number,
    n: number,
    k: number,
    a: Uint16Array,
    lda: number,
    b: Uint16Array,
    ldb: number,
    c: Float32Array,
    ldc: number,
    beta?: number,
  ): number;
}

/** The operations' primitive-descriptor makers of {@link Dnnl} (`v2/ops.ts`, `v3/ops.ts`). */
export type Makers = Pick<
  Dnnl,
  | "convForward"
  | "convBackwardData"
  | "convBackwardWeights"
  | "poolForward"
  | "poolBackward"
  | "bnForward"
  | "bnBackward"
  | "binary"
  | "eltwiseForward"
  | "eltwiseBackward"
>;

/** Throws with `message` when a oneDNN call returns a non-zero status. */
export function check(status: number, message: string): void {
  if (status !== 0) throw new Error(`oneDNN ${message} failed with status ${status}`);
}

/**
 * Reads an out-parameter `T*` written by oneDNN into an 8-byte buffer (through
 * the C library, so that it works once FFI is revoked: backends/native/seal.ts).
 */
export function outPointer(cell: BigUint64Array): Deno.PointerValue {
  return pointerAt(cell[0]);
}

/** Packs up to 12 dimensions into a `dnnl_dims_t` (DNNL_MAX_NDIMS int64 values in both). */
export function dims(values: readonly number[]): BigInt64Array {
  const out = new BigInt64Array(12);
  values.forEach((v, i) => out[i] = BigInt(v));
  return out;
}

/** Bytes of one `dnnl_exec_arg_t` (int arg, then a memory pointer) in both generations. */
export const EXEC_ARG_BYTES = 16;

/**
 * The parameters of oneDNN's row-major gemm calls, `dnnl_sgemm` and
 * `dnnl_gemm_bf16bf16f32` alike: transA, transB, M, N, K, alpha, A, lda, B,
 * ldb, beta, C, ldc.
 */
export const GEMM_PARAMETERS = [
  "u8",
  "u8",
  "i64",
  "i64",
  "i64",
  "f32",
  "buffer",
  "i64",
  "buffer",
  "i64",
  "f32",
  "buffer",
  "i64",
] as const;

/** A gemm symbol of {@link GEMM_PARAMETERS}. */
type GemmSymbol = (
  ...args: [
    number,
    number,
    bigint,
    bigint,
    bigint,
    number,
    Deno.ToNativeType<"buffer">,
    bigint,
    Deno.ToNativeType<"buffer">,
    bigint,
    number,
    Deno.ToNativeType<"buffer">,
    bigint,
  ]
) => number;

/** `C = A·B + beta·C` through a gemm symbol (alpha 1, beta 0 unless given); returns oneDNN's status. */
export function callGemm(
  gemm: GemmSymbol,
  ...[ta, tb, m, n, k, a, lda, b, ldb, c, ldc, beta = 0]: Parameters<
    Dnnl["sgemm"] | Dnnl["gemmBf16"]
  >
): number {
  return gemm(
    ta,
    tb,
    BigInt(m),
    BigInt(n),
    BigInt(k),
    1,
    a,
    BigInt(lda),
    b,
    BigInt(ldb),
    beta,
    c,
    BigInt(ldc),
  );
}

/**
 * {@link Dnnl.gemmBf16} over the optional `dnnl_gemm_bf16bf16f32` symbol of the
 * library at `path`: an error naming the library where it lacks the symbol.
 */
export function gemmBf16Of(
  gemm: GemmSymbol | null,
  version: string,
  path: string,
): Dnnl["gemmBf16"] {
  return (...args) => {
    if (gemm === null) throw new Error(`oneDNN ${version} (${path}) has no dnnl_gemm_bf16bf16f32`);
    return callGemm(gemm, ...args);
  };
}
