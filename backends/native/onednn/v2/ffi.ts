/**
 * The oneDNN 2.x C API through `Deno.dlopen`: symbols, enum values and struct
 * sizes. Sizes and values come from the installed oneDNN 2.6 headers
 * (`/usr/include/oneapi/dnnl/dnnl_types.h`, checked with `sizeof` in C); the
 * 2.x ABI keeps them stable, while 3.x replaced this API, so {@link openDnnl}
 * refuses any other major version. This folder (`onednn/v2/`) is the 2.x
 * binding; a binding of another API generation sits beside it (`onednn/v3/`),
 * sharing `onednn/threads.ts`, which depends on OpenMP, not on oneDNN's API.
 *
 * @module
 */
import { adoptThreads, openOmp, Threads, type WaitPolicy, withWaitPolicy } from "../threads.ts";
import { copyFrom, libc, pointerAt } from "../../../../core/libc.ts";

/** Byte sizes of the oneDNN 2.x structs skiplab allocates. */
export const SIZE = {
  memoryDesc: 696,
  convDesc: 5976,
  poolDesc: 3288,
  bnDesc: 3496,
  binaryDesc: 2096,
  eltwiseDesc: 1416,
  execArg: 16,
  /** `dnnl_dims_t`: DNNL_MAX_NDIMS (12) int64 values. */
  dims: 12,
} as const;

/** Enum values of oneDNN 2.x (dnnl_types.h). */
export const E = {
  f32: 3,
  bf16: 2,
  tagA: 2, // dnnl_a / dnnl_x
  tagNhwc: 20,
  tagHwio: 30,
  forwardTraining: 64,
  forwardInference: 96,
  backward: 128,
  backwardData: 160,
  backwardWeights: 192,
  convDirect: 1,
  poolMax: 511,
  poolAvgInclude: 767,
  poolAvgExclude: 1023,
  eltwiseRelu: 31,
  engineCpu: 1,
  streamDefault: 1,
  tagAny: 1,
  querySrcMd: 129,
  queryDiffSrcMd: 130,
  queryWeightsMd: 131,
  queryDiffWeightsMd: 132,
  queryDstMd: 133,
  queryDiffDstMd: 134,
  queryWorkspaceMd: 135,
  argSrc: 1,
  argDst: 17,
  argWeights: 33,
  argBias: 41,
  argDiffSrc: 129,
  argDiffDst: 145,
  argDiffWeights: 161,
  argDiffBias: 169,
  argWorkspace: 64,
} as const;

const symbols = {
  dnnl_version: { parameters: [], result: "pointer" },
  dnnl_engine_create: { parameters: ["buffer", "i32", "usize"], result: "i32" },
  dnnl_stream_create: { parameters: ["buffer", "pointer", "u32"], result: "i32" },
  dnnl_memory_desc_init_by_tag: {
    parameters: ["buffer", "i32", "buffer", "i32", "i32"],
    result: "i32",
  },
  dnnl_dilated_convolution_forward_desc_init: {
    parameters: [
      "buffer",
      "i32",
      "i32",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
    ],
    result: "i32",
  },
  dnnl_dilated_convolution_backward_data_desc_init: {
    parameters: [
      "buffer",
      "i32",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
    ],
    result: "i32",
  },
  dnnl_dilated_convolution_backward_weights_desc_init: {
    parameters: [
      "buffer",
      "i32",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
    ],
    result: "i32",
  },
  dnnl_pooling_v2_forward_desc_init: {
    parameters: [
      "buffer",
      "i32",
      "i32",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
    ],
    result: "i32",
  },
  dnnl_pooling_v2_backward_desc_init: {
    parameters: [
      "buffer",
      "i32",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
    ],
    result: "i32",
  },
  dnnl_batch_normalization_forward_desc_init: {
    parameters: ["buffer", "i32", "buffer", "f32", "u32"],
    result: "i32",
  },
  dnnl_batch_normalization_backward_desc_init: {
    parameters: ["buffer", "i32", "buffer", "buffer", "f32", "u32"],
    result: "i32",
  },
  dnnl_binary_desc_init: {
    parameters: ["buffer", "i32", "buffer", "buffer", "buffer"],
    result: "i32",
  },
  dnnl_eltwise_forward_desc_init: {
    parameters: ["buffer", "i32", "i32", "buffer", "f32", "f32"],
    result: "i32",
  },
  dnnl_eltwise_backward_desc_init: {
    parameters: ["buffer", "i32", "buffer", "buffer", "f32", "f32"],
    result: "i32",
  },
  dnnl_primitive_attr_create: { parameters: ["buffer"], result: "i32" },
  dnnl_primitive_attr_set_post_ops: { parameters: ["pointer", "pointer"], result: "i32" },
  dnnl_post_ops_create: { parameters: ["buffer"], result: "i32" },
  dnnl_post_ops_append_binary: { parameters: ["pointer", "i32", "buffer"], result: "i32" },
  dnnl_primitive_attr_set_scales: {
    parameters: ["pointer", "i32", "i64", "i32", "buffer"],
    result: "i32",
  },
  dnnl_post_ops_append_eltwise: {
    parameters: ["pointer", "f32", "i32", "f32", "f32"],
    result: "i32",
  },
  dnnl_primitive_desc_create: {
    parameters: ["buffer", "buffer", "pointer", "pointer", "pointer"],
    result: "i32",
  },
  dnnl_primitive_desc_query_md: { parameters: ["pointer", "i32", "i32"], result: "pointer" },
  dnnl_primitive_desc_query: {
    parameters: ["pointer", "i32", "i32", "buffer"],
    result: "i32",
  },
  dnnl_primitive_desc_iterator_create: {
    parameters: ["buffer", "buffer", "pointer", "pointer", "pointer"],
    result: "i32",
  },
  dnnl_primitive_desc_iterator_next: { parameters: ["pointer"], result: "i32" },
  dnnl_primitive_desc_iterator_fetch: { parameters: ["pointer"], result: "pointer" },
  dnnl_primitive_desc_iterator_destroy: { parameters: ["pointer"], result: "i32" },
  dnnl_primitive_desc_destroy: { parameters: ["pointer"], result: "i32" },
  dnnl_get_effective_cpu_isa: { parameters: [], result: "i32" },
  dnnl_memory_desc_get_size: { parameters: ["pointer"], result: "usize" },
  dnnl_memory_desc_bytes: {
    name: "dnnl_memory_desc_get_size",
    parameters: ["buffer"],
    result: "usize",
  },
  dnnl_memory_desc_equal: { parameters: ["buffer", "buffer"], result: "i32" },
  dnnl_reorder_primitive_desc_create: {
    parameters: ["buffer", "buffer", "pointer", "buffer", "pointer", "pointer"],
    result: "i32",
  },
  dnnl_primitive_create: { parameters: ["buffer", "pointer"], result: "i32" },
  dnnl_memory_create: { parameters: ["buffer", "buffer", "pointer", "pointer"], result: "i32" },
  dnnl_memory_create_from_md_ptr: {
    name: "dnnl_memory_create",
    parameters: ["buffer", "pointer", "pointer", "pointer"],
    result: "i32",
  },
  dnnl_memory_set_data_handle: { parameters: ["pointer", "buffer"], result: "i32" },
  dnnl_primitive_execute: {
    parameters: ["pointer", "pointer", "i32", "buffer"],
    result: "i32",
  },
  dnnl_sgemm: {
    parameters: [
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
    ],
    result: "i32",
  },
} as const satisfies Deno.ForeignLibraryInterface;

/** The opened oneDNN library with its engine and stream. */
export interface Dnnl {
  readonly lib: Deno.DynamicLibrary<typeof symbols>["symbols"];
  readonly engine: Deno.PointerValue;
  readonly stream: Deno.PointerValue;
  readonly path: string;
  readonly version: string;
  /** oneDNN's OpenMP threads: their count now and how they wait. */
  readonly threads: Threads;
}

/** Library names tried in order: Debian/Ubuntu, generic Linux, Homebrew (macOS). */
export const CANDIDATES: readonly string[] = [
  "libdnnl.so.2",
  "libdnnl.so",
  "/opt/homebrew/lib/libdnnl.dylib",
  "/usr/local/lib/libdnnl.dylib",
  "libdnnl.2.dylib",
];

/** Throws with `message` when a oneDNN call returns a non-zero status. */
export function check(status: number, message: string): void {
  if (status !== 0) throw new Error(`oneDNN ${message} failed with status ${status}`);
}

/** Reads an out-parameter `T*` written by oneDNN into an 8-byte buffer. */
export function outPointer(cell: BigUint64Array): Deno.PointerValue {
  return pointerAt(cell[0]);
}

function readVersion(lib: Dnnl["lib"]): [number, number, number] {
  const version = new Int32Array(3);
  copyFrom(lib.dnnl_version()!, version);
  return [version[0], version[1], version[2]];
}

/**
 * Keeps a shared library mapped until the process exits. Deno closes an
 * isolate's libraries when it ends (a worker, a test module under --parallel);
 * oneDNN's OpenMP threads outlive that and would then jump into unmapped code.
 * A second dlopen with RTLD_NODELETE makes the unmapping never happen.
 */
function pinLibrary(name: string): void {
  const flags = 0x2 | (Deno.build.os === "darwin" ? 0x80 : 0x1000); // RTLD_NOW | RTLD_NODELETE
  // Without a C library to ask, the library is unloaded as usual at exit.
  libc()?.dlopen(new TextEncoder().encode(`${name}\0`), flags);
}

/** oneDNN and its OpenMP runtime as loaded, before any engine exists. */
interface Loaded {
  readonly handle: Deno.DynamicLibrary<typeof symbols>;
  readonly path: string;
  readonly version: string;
  /** The wait policy OpenMP read as it loaded. */
  readonly policy: WaitPolicy;
  readonly omp: ReturnType<typeof openOmp>;
}

let loaded: Loaded | undefined;

/**
 * Loads oneDNN 2.x (and with it OpenMP, which reads `policy` as it loads),
 * once per process; later calls return the first load, whatever their policy.
 * A command calls it before any plugin is imported and then revokes FFI
 * (backends/native/seal.ts); the backend's {@link openDnnl} uses this load.
 * @throws {Error} naming every candidate that did not load, and why.
 */
export function loadDnnl(policy: WaitPolicy): Loaded {
  if (loaded !== undefined) return loaded;
  const errors: string[] = [];
  for (const path of CANDIDATES) {
    let handle: Deno.DynamicLibrary<typeof symbols>;
    try {
      handle = withWaitPolicy(policy, () => Deno.dlopen(path, symbols));
    } catch (e) {
      errors.push(`${path}: ${(e as Error).message.split("\n")[0]}`);
      continue;
    }
    const [major, minor, patch] = readVersion(handle.symbols);
    if (major !== 2) {
      handle.close();
      errors.push(`${path}: oneDNN ${major}.${minor} found, the 2.x C API is required`);
      continue;
    }
    pinLibrary(path);
    const omp = openOmp(pinLibrary);
    return loaded = { handle, path, version: `${major}.${minor}.${patch}`, policy, omp };
  }
  throw new Error(errors.join("; "));
}

/** Whether {@link loadDnnl} has loaded oneDNN in this process. */
export function dnnlLoaded(): boolean {
  return loaded !== undefined;
}

/**
 * Opens oneDNN 2.x (loading it with `policy` unless {@link loadDnnl} already
 * did, whose policy then holds), creates a CPU engine and stream.
 * @throws {Error} when no oneDNN 2.x loads.
 */
export function openDnnl(threads: number, policy: WaitPolicy = "user"): Dnnl {
  const { handle, path, version, omp } = loadDnnl(policy);
  const lib = handle.symbols;
  const cell = new BigUint64Array(1);
  check(lib.dnnl_engine_create(cell, E.engineCpu, 0n), "engine_create");
  const engine = outPointer(cell);
  check(lib.dnnl_stream_create(cell, engine, E.streamDefault), "stream_create");
  const stream = outPointer(cell);
  return {
    lib,
    engine,
    stream,
    path,
    version,
    threads: adoptThreads(new Threads(threads, loaded!.policy, omp)),
  };
}
