/**
 * Activation of the tfjs "wasm" backend (XNNPACK) under Deno, with skiplab's
 * gradient kernels.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { registerWasmGradientKernels, WASM_GRADIENT_KERNELS } from "./gradient_kernels.ts";

/**
 * The folder of the package's .wasm binaries as a path, when the package is
 * on disk (a node_modules folder or Deno's npm cache); otherwise null and the
 * package's own lookup (beside its main script) applies.
 */
function wasmFolder(): string | null {
  try {
    // A literal, so `deno publish` rewrites it to the npm specifier for JSR consumers.
    const main = new URL(import.meta.resolve("@tensorflow/tfjs-backend-wasm"));
    if (main.protocol !== "file:") return null;
    return decodeURIComponent(new URL(".", main).pathname);
  } catch {
    return null;
  }
}

/**
 * Loads @tensorflow/tfjs-backend-wasm, points it at its own .wasm files,
 * registers skiplab's gradient kernels and makes "wasm" the tfjs backend.
 *
 * @returns detail for BackendInfo (SIMD, threads, added kernels)
 */
export async function activateWasm(): Promise<string> {
  const wasm = await import("@tensorflow/tfjs-backend-wasm");
  const folder = wasmFolder();
  // setWasmPaths throws once the backend is initialised; later calls reuse it.
  if (folder !== null && tf.engine().registry["wasm"] === undefined) {
    wasm.setWasmPaths(folder);
  }
  registerWasmGradientKernels();
  if (!(await tf.setBackend("wasm"))) {
    throw new Error(
      `The wasm backend failed to initialise (its .wasm files: ${folder ?? "default lookup"})`,
    );
  }
  const simd = (await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT")) ? "SIMD" : "no SIMD";
  const threads = wasm.getThreadsCount();
  return `XNNPACK, ${simd}, ${threads} thread${threads === 1 ? "" : "s"}, ` +
    `skiplab kernels: ${WASM_GRADIENT_KERNELS.join(", ")}`;
}
