/**
 * The oneDNN 3.x C API through `Deno.dlopen`: symbols and enum values, from the
 * headers of oneDNN 3.7.1 (`include/oneapi/dnnl/dnnl.h`, `dnnl_types.h`),
 * compared with those of 3.1.1 (the oldest 3.x skiplab supports, Ubuntu
 * 24.04's): every value and signature used here is the same in both, checked
 * by printing them from C against each version's headers. Only calls that
 * 3.1 already had are bound, so any 3.1+ library opens. Memory descriptors
 * are opaque handles (`dnnl_memory_desc_t`); `bind.ts` implements `../api.ts`.
 *
 * @module
 */
import { type Enums, GEMM_PARAMETERS } from "../api.ts";

/** Enum values of oneDNN 3.1–3.7 (dnnl_types.h). */
export const ENUMS: Enums = {
  f32: 3,
  bf16: 2,
  tagAny: 1,
  tagA: 2,
  tagAbc: 4,
  tagNhwc: 22,
  tagHwio: 28,
  tagChannelBlocks: { 4: 84, 8: 102, 16: 78 },
  forwardTraining: 64,
  forwardInference: 96,
  backward: 128,
  convDirect: 1,
  convWinograd: 2,
  poolMax: 511,
  poolAvgInclude: 767,
  poolAvgExclude: 1023,
  eltwiseRelu: 32,
  eltwiseSquare: 35,
  eltwiseLinear: 38,
  eltwiseSqrt: 37,
  binaryAdd: 0x1fff0,
  binaryMul: 0x1fff1,
  binaryMax: 0x1fff2,
  binaryDiv: 0x1fff4,
  binarySub: 0x1fff5,
  querySrcMd: 129,
  queryDiffSrcMd: 130,
  queryWeightsMd: 131,
  queryDiffWeightsMd: 132,
  queryDstMd: 133,
  queryDiffDstMd: 134,
  queryWorkspaceMd: 135,
  argSrc: 1,
  argSrc1: 2,
  argDst: 17,
  argWeights: 33,
  argBias: 41,
  argDiffSrc: 129,
  argDiffDst: 145,
  argDiffWeights: 161,
  argWorkspace: 64,
  argMean: 49,
  argVariance: 50,
  argScale: 51,
  argShift: 52,
  argDiffScale: 255,
  argDiffShift: 256,
  postOpArgBase: 32768,
  useGlobalStats: 0x1,
  useScale: 0x2,
  useShift: 0x4,
  fuseNormRelu: 0x8,
};

/** `DNNL_ARG_ATTR_SCALES`: or-ed with an argument, the memory of that argument's scales. */
export const ARG_ATTR_SCALES = 4096;

/** `dnnl_cpu_isa_t` of 3.x by name (3.1's values; later versions add, never change). */
export const ISA: Readonly<Record<string, number>> = {
  sse41: 0x1,
  avx: 0x3,
  avx2: 0x7,
  avx2_vnni: 0xf,
  avx2_vnni_2: 0x1f,
  avx512_core: 0x27,
  avx512_core_vnni: 0x67,
  avx512_core_bf16: 0xe7,
  avx512_core_fp16: 0x1ef,
  avx512_core_amx: 0xfef,
  avx512_core_amx_fp16: 0x1fef,
};

const P = "pointer", B = "buffer";
const dims4 = [B, B, B, B] as const;

/** The 3.x symbols skiplab calls. */
export const SYMBOLS = {
  dnnl_version: { parameters: [], result: P },
  dnnl_engine_create: { parameters: [B, "i32", "usize"], result: "i32" },
  dnnl_stream_create: { parameters: [B, P, "u32"], result: "i32" },
  dnnl_get_effective_cpu_isa: { parameters: [], result: "i32" },
  dnnl_memory_desc_create_with_tag: {
    parameters: [B, "i32", B, "i32", "i32"],
    result: "i32",
  },
  dnnl_memory_desc_create_with_strides: {
    parameters: [B, "i32", B, "i32", B],
    result: "i32",
  },
  dnnl_memory_desc_clone: { parameters: [B, P], result: "i32" },
  dnnl_memory_desc_destroy: { parameters: [P], result: "i32" },
  dnnl_memory_desc_equal: { parameters: [P, P], result: "i32" },
  dnnl_memory_desc_get_size: { parameters: [P], result: "usize" },
  dnnl_convolution_forward_primitive_desc_create: {
    parameters: [B, P, "i32", "i32", P, P, P, P, ...dims4, P],
    result: "i32",
  },
  dnnl_convolution_backward_data_primitive_desc_create: {
    parameters: [B, P, "i32", P, P, P, ...dims4, P, P],
    result: "i32",
  },
  dnnl_convolution_backward_weights_primitive_desc_create: {
    parameters: [B, P, "i32", P, P, P, P, ...dims4, P, P],
    result: "i32",
  },
  dnnl_pooling_forward_primitive_desc_create: {
    parameters: [B, P, "i32", "i32", P, P, B, B, B, B, B, P],
    result: "i32",
  },
  dnnl_pooling_backward_primitive_desc_create: {
    parameters: [B, P, "i32", P, P, B, B, B, B, B, P, P],
    result: "i32",
  },
  dnnl_batch_normalization_forward_primitive_desc_create: {
    parameters: [B, P, "i32", P, P, "f32", "u32", P],
    result: "i32",
  },
  dnnl_batch_normalization_backward_primitive_desc_create: {
    parameters: [B, P, "i32", P, P, P, "f32", "u32", P, P],
    result: "i32",
  },
  dnnl_binary_primitive_desc_create: { parameters: [B, P, "i32", P, P, P, P], result: "i32" },
  dnnl_eltwise_forward_primitive_desc_create: {
    parameters: [B, P, "i32", "i32", P, P, "f32", "f32", P],
    result: "i32",
  },
  dnnl_eltwise_backward_primitive_desc_create: {
    parameters: [B, P, "i32", P, P, P, "f32", "f32", P, P],
    result: "i32",
  },
  dnnl_reorder_primitive_desc_create: { parameters: [B, P, P, P, P, P], result: "i32" },
  dnnl_primitive_desc_next_impl: { parameters: [P], result: "i32" },
  dnnl_primitive_desc_query_md: { parameters: [P, "i32", "i32"], result: P },
  dnnl_primitive_desc_query: { parameters: [P, "i32", "i32", B], result: "i32" },
  dnnl_primitive_desc_destroy: { parameters: [P], result: "i32" },
  dnnl_primitive_attr_create: { parameters: [B], result: "i32" },
  dnnl_primitive_attr_set_post_ops: { parameters: [P, P], result: "i32" },
  dnnl_primitive_attr_set_scales_mask: { parameters: [P, "i32", "i32"], result: "i32" },
  dnnl_post_ops_create: { parameters: [B], result: "i32" },
  dnnl_post_ops_append_eltwise: { parameters: [P, "i32", "f32", "f32"], result: "i32" },
  dnnl_post_ops_append_binary: { parameters: [P, "i32", P], result: "i32" },
  dnnl_post_ops_append_sum: { parameters: [P, "f32", "i32", "i32"], result: "i32" },
  dnnl_primitive_create: { parameters: [B, P], result: "i32" },
  dnnl_memory_create: { parameters: [B, P, P, P], result: "i32" },
  dnnl_memory_set_data_handle: { parameters: [P, B], result: "i32" },
  dnnl_primitive_execute: { parameters: [P, P, "i32", B], result: "i32" },
  dnnl_sgemm: { parameters: GEMM_PARAMETERS, result: "i32" },
  // Exported though undeclared in dnnl.h (see ../v2/ffi.ts): sgemm's arguments, A and B bf16.
  dnnl_gemm_bf16bf16f32: {
    parameters: GEMM_PARAMETERS,
    result: "i32",
    optional: true,
  },
} as const satisfies Deno.ForeignLibraryInterface;

/** The 3.x library's symbols. */
export type Lib3 = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];
