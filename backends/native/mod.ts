/**
 * The `native` tfjs backend: the cpu backend's kernels with convolutions,
 * matrix products, pooling, batch norm and the hot elementwise ops replaced by
 * oneDNN 2.x primitives through Deno FFI (`--allow-ffi`; Debian `libdnnl2`,
 * Homebrew `onednn`).
 *
 * @module
 */
export * from "./register.ts";
