/**
 * The `native` tfjs backend: the cpu backend's kernels with convolutions,
 * matrix products, pooling, batch norm and the large elementwise ops replaced
 * by oneDNN primitives (2.x or 3.1+) through Deno FFI (`--allow-ffi`; Debian
 * `libdnnl2`, Ubuntu `libdnnl3`, Homebrew and conda `onednn`; `SKIPLAB_DNNL` names
 * a library). It also brings a fused Adam step (the trainer's
 * `Optimizer` uses it), cheaper gradients for batch norm, ReLU, Square and
 * Mean, earlier release of backpropagation memory, and kernel outputs in C
 * memory freed as soon as tfjs disposes them (`gradients/overrides.ts`,
 * `memory/release.ts`, `memory/saves.ts`, `memory/buffers.ts` say how, and why
 * results stay tfjs's).
 *
 * The rooms: `onednn/` binds the library (`api.ts` what the kernels call,
 * `v2/` and `v3/` each API generation's symbols, enums and calls, `open.ts`
 * and `search.ts` which library, `primitives.ts` cached primitives,
 * `threads.ts` its OpenMP threads); `kernels/` holds the kernels, one op
 * family per file, `_js` and `_onednn` where both exist; `memory/` where
 * outputs live, in which layout and precision, and what the backward pass
 * keeps; `gradients/` the gradient functions the native backend replaces.
 * `kernels.ts` is the table of which file serves each kernel, and
 * `register.ts` registers from it; `peak.ts` times oneDNN's matrix product
 * and convolutions alone (`deno task bench peak`).
 *
 * @module
 */
export {
  NATIVE_BACKEND,
  nativeKernelSources,
  type NativeStatus,
  threadsDetail,
  tryRegisterNative,
} from "./register.ts";
export {
  CONV_PASSES,
  type ConvPass,
  type ConvShape,
  type GemmShape,
  type PeakOptions,
  type PeakPrecision,
  type PeakTiming,
  timeConv,
  timeGemm,
} from "./peak.ts";
export { type Sealed, sealNativeLibraries } from "./seal.ts";
export {
  explainFailure,
  failureDetails,
  MEASURED_IMAGES_PER_SECOND,
  type NativeFailure,
  NativeUnavailableError,
} from "./unavailable.ts";
export { DNNL_VARIABLE } from "./onednn/search.ts";
export { type CpuSample, currentThreads, othersLoad, sampleCpu } from "./onednn/threads.ts";
export type { KernelSource } from "./kernels.ts";
export {
  type Bf16Support,
  bf16SupportOfIsa,
  cpuBf16Support,
  isaName,
  NATIVE_BF16_KERNELS,
  nativePrecision,
  type Precision,
  type PrecisionChoice,
  PRECISIONS,
  resolvePrecision,
  setNativePrecision,
} from "./memory/precision.ts";
