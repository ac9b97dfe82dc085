/**
 * Compute backends: {@link selectBackend} picks a tfjs backend by name or the
 * fastest that can train here (`auto`); the wasm backend gets the gradient
 * kernels tfjs-backend-wasm lacks; webgpu and tensorflow load only when asked.
 *
 * @example
 * ```ts
 * import { selectBackend } from "./mod.ts";
 * const { name, reason } = await selectBackend("cpu");
 * console.log(name, reason);
 * ```
 *
 * @module
 */
export * from "./select.ts";
export * from "./wasm/gradient_kernels.ts";
export * from "./webgpu.ts";
export * from "./tensorflow.ts";
export * from "./cpu_kernels.ts";
export * from "./precision.ts";
export * from "./unavailable.ts";
export { type Sealed, sealNativeLibraries } from "./native/mod.ts";
