/**
 * The gradient kernels that @tensorflow/tfjs-backend-wasm 4.22.0 lacks for
 * training skiplab's models, and their registration.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { conv2dBackpropFilterWasm } from "./conv2d_backprop_filter.ts";
import { maxPoolGradWasm } from "./max_pool_grad.ts";

/**
 * Names of the kernels skiplab adds to the wasm backend: Conv2DBackpropFilter,
 * which wasm lacks, and MaxPoolGrad, whose wasm version sends a window's
 * gradient to index 0 when all its values are negative. A training step of
 * every registered model (conv stride 1/2, same/valid, 1×1 and 3×3; batch
 * norm in training mode; ReLU; max and average pooling; dropout; dense;
 * softmax cross-entropy; Adam) dispatches only kernels that wasm has once
 * these are registered.
 */
export const WASM_GRADIENT_KERNELS: readonly string[] = ["Conv2DBackpropFilter", "MaxPoolGrad"];

/** Kernels wasm ships, but wrong: skiplab's version replaces them. */
const REPLACED: ReadonlySet<string> = new Set(["MaxPoolGrad"]);

const KERNELS: readonly tf.KernelConfig[] = [
  {
    kernelName: "Conv2DBackpropFilter",
    backendName: "wasm",
    kernelFunc: conv2dBackpropFilterWasm as unknown as tf.KernelFunc,
  },
  {
    kernelName: "MaxPoolGrad",
    backendName: "wasm",
    kernelFunc: maxPoolGradWasm as unknown as tf.KernelFunc,
  },
];

const registered = new Set<string>();

/**
 * Registers skiplab's gradient kernels for the "wasm" backend. Idempotent:
 * a kernel that is already registered (by an earlier call, or by a future
 * tfjs-backend-wasm that ships it) is left alone.
 *
 * Registration needs no initialised backend: kernels are looked up by name
 * when they run.
 *
 * @returns the names of the kernels this call registered (empty on repeats)
 *
 * @example
 * ```ts
 * import { registerWasmGradientKernels } from "./gradient_kernels.ts";
 * registerWasmGradientKernels();
 * console.log(registerWasmGradientKernels()); // [] — already registered
 * ```
 */
export function registerWasmGradientKernels(): string[] {
  const added: string[] = [];
  for (const config of KERNELS) {
    if (registered.has(config.kernelName)) continue;
    const existing = tf.getKernel(config.kernelName, config.backendName);
    if (existing !== undefined) {
      if (!REPLACED.has(config.kernelName)) continue;
      tf.unregisterKernel(config.kernelName, config.backendName);
    }
    tf.registerKernel(config);
    registered.add(config.kernelName);
    added.push(config.kernelName);
  }
  return added;
}
