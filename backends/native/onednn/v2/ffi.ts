/**
 * The oneDNN 2.x C API through `Deno.dlopen`: symbols, enum values and struct
 * sizes. Sizes and values come from the installed oneDNN 2.6 headers
 * (`/usr/include/oneapi/dnnl/dnnl_types.h`, checked with `sizeof` in C); the
 * 2.x ABI keeps them stable. `bind.ts` implements `../api.ts` over them; the
 * 3.x binding sits beside this folder (`../v3/`).
 *
 * @module
 */
import { type Enums, GEMM_PARAMETERS } from "../api.ts";

/** Byte sizes of the oneDNN 2.x structs skiplab allocates. */
export const SIZE = {
  memoryDesc: 696,
  convDesc: 5976,
  poolDesc: 3288,
  bnDesc: 3496,
  binaryDesc: 2096,
  eltwiseDesc: 1416,
} as const;

/** Enum values of oneDNN 2.x (dnnl_types.h of 2.6). */
export const ENUMS: Enums = {
  f32: 3,
  bf16: 2,
  tagAny: 1,
  tagA: 2, // dnnl_a / dnnl_x
  tagAbc: 4,
  tagNhwc: 20,
  tagHwio: 30,
  tagChannelBlocks: { 4: 75, 8: 93, 16: 69 },
  forwardTraining: 64,
  forwardInference: 96,
  backward: 128,
  convDirect: 1,
  convWinograd: 2,
  poolMax: 511,
  poolAvgInclude: 767,
  poolAvgExclude: 1023,
  eltwiseRelu: 31,
  eltwiseSquare: 79,
  eltwiseLinear: 127,
  eltwiseSqrt: 111,
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
  postOpArgBase: 16384,
  useGlobalStats: 0x1,
  useScale: 0x8,
  useShift: 0x10,
  fuseNormRelu: 0x4,
};

/** `dnnl_cpu_isa_t` of 2.6 by name (each includes the bits of those below it). */
export const ISA: Readonly<Record<string, number>> = {
  sse41: 0x1,
  avx: 0x3,
  avx2: 0x7,
  avx512_mic: 0xf,
  avx512_mic_4ops: 0x1f,
  avx512_core: 0x27,
  avx512_core_vnni: 0x67,
  avx512_core_bf16: 0xe7,
  avx512_core_amx: 0x3e7,
  avx2_vnni: 0x407,
};

export const SYMBOLS = {
  dnnl_version: { parameters: [], result: "pointer" },
  dnnl_engine_create: { parameters: ["buffer", "i32", "usize"], result: "i32" },
  dnnl_stream_create: { parameters: ["buffer", "pointer", "u32"], result: "i32" },
  dnnl_memory_desc_init_by_tag: {
    parameters: ["buffer", "i32", "buffer", "i32", "i32"],
    result: "i32",
  },
  dnnl_memory_desc_init_by_strides: {
    parameters: ["buffer", "i32", "buffer", "i32", "buffer"],
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
  dnnl_post_ops_append_sum: { parameters: ["pointer", "f32"], result: "i32" },
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
  dnnl_sgemm: { parameters: GEMM_PARAMETERS, result: "i32" },
  // Exported by every 2.x and 3.x library (src/cpu/gemm/gemm.cpp) though no public header
  // declares it: sgemm's arguments with A and B as bf16 (uint16) arrays. Optional, so that a
  // build without it still opens (`gemmBf16` then reports that it is missing).
  dnnl_gemm_bf16bf16f32: {
    parameters: GEMM_PARAMETERS,
    result: "i32",
    optional: true,
  },
} as const satisfies Deno.ForeignLibraryInterface;

/** The 2.x library's symbols. */
export type Lib2 = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];
