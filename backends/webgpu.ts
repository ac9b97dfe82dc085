/**
 * The tfjs "webgpu" backend on Deno's `navigator.gpu`.
 *
 * @module
 */
import { BackendUnavailableError } from "./unavailable.ts";
import * as tf from "@tensorflow/tfjs";

/**
 * Mesa's software Vulkan driver complains on stderr, once per adapter request,
 * when XDG_RUNTIME_DIR is unset (as in CI and containers); setting it is enough.
 */
function quietMesa(): void {
  if (Deno.build.os !== "linux" || Deno.env.get("XDG_RUNTIME_DIR")) return;
  try {
    let dir: string;
    try {
      dir = Deno.makeTempDirSync({ prefix: "skiplab-xdg-" });
    } catch {
      // Without write permission (a `deno task` grants none outside its folders): a folder that
      // does not exist is enough, since Mesa only needs the variable set; with nothing there the
      // display connection, which a headless run never uses, fails without a word.
      dir = "/nonexistent/skiplab-headless";
    }
    Deno.env.set("XDG_RUNTIME_DIR", dir);
  } catch {
    // Without env permission Mesa only prints its warning.
  }
}

/** What the system reports about a WebGPU adapter. */
export interface WebgpuAdapterInfo {
  /** Human-readable adapter name, e.g. "llvmpipe (LLVM 15.0.6, 256 bits)". */
  readonly description: string;
  /** True for software adapters such as Mesa's llvmpipe. */
  readonly isFallbackAdapter: boolean;
  /** Vendor, architecture and device as the adapter names them ("" when it does not). */
  readonly vendor: string;
  /** See {@linkcode WebgpuAdapterInfo.vendor}. */
  readonly architecture: string;
  /** See {@linkcode WebgpuAdapterInfo.vendor}. */
  readonly device: string;
  /** The largest storage buffer a shader may bind, in bytes (0 when not reported). */
  readonly maxStorageBufferBindingSize: number;
}

/** The subset of the WebGPU API this file touches (Deno's lib types may omit it). */
interface GpuLike {
  requestAdapter(): Promise<
    {
      info?: {
        description?: string;
        vendor?: string;
        architecture?: string;
        device?: string;
        isFallbackAdapter?: boolean;
      };
      limits?: { maxStorageBufferBindingSize?: number };
    } | null
  >;
}

/** Advice printed when there is no adapter; Linux machines without a GPU. */
export const WEBGPU_INSTALL_HINT: string =
  "On Linux without a GPU, install Mesa's software Vulkan driver (llvmpipe): " +
  "`apt-get install -y mesa-vulkan-drivers`.";

/**
 * Finds the system's WebGPU adapter without creating a device.
 *
 * @returns the adapter's name, or `null` when `navigator.gpu` is missing or
 *   offers no adapter
 *
 * @example
 * ```ts
 * import { findWebgpuAdapter } from "./webgpu.ts";
 * const adapter = await findWebgpuAdapter();
 * console.log(adapter?.description ?? "no WebGPU adapter");
 * ```
 */
export async function findWebgpuAdapter(): Promise<WebgpuAdapterInfo | null> {
  const gpu = (globalThis.navigator as { gpu?: GpuLike } | undefined)?.gpu;
  if (gpu === undefined) return null;
  quietMesa();
  const adapter = await gpu.requestAdapter();
  if (adapter === null) return null;
  const info = adapter.info ?? {};
  const description = info.description ||
    [info.vendor, info.device].filter((s) => s).join(" ") || "unnamed adapter";
  return {
    description,
    isFallbackAdapter: info.isFallbackAdapter ?? false,
    vendor: info.vendor ?? "",
    architecture: info.architecture ?? "",
    device: info.device ?? "",
    maxStorageBufferBindingSize: adapter.limits?.maxStorageBufferBindingSize ?? 0,
  };
}

/**
 * Loads @tensorflow/tfjs-backend-webgpu and makes "webgpu" the tfjs backend.
 * The package is imported only here, so merely importing skiplab never puts
 * webgpu ahead of other backends.
 *
 * @returns detail for BackendInfo: the adapter's name
 * @throws {Error} when there is no adapter (with {@link WEBGPU_INSTALL_HINT})
 *   or the backend fails to initialise
 */
export async function activateWebgpu(): Promise<string> {
  const adapter = await findWebgpuAdapter();
  if (adapter === null) {
    const where = "gpu" in globalThis.navigator
      ? "navigator.gpu.requestAdapter() returned null"
      : "navigator.gpu is undefined in this runtime";
    throw new BackendUnavailableError(
      `The webgpu backend needs a WebGPU adapter, and there is none (${where}). ${WEBGPU_INSTALL_HINT}`,
    );
  }
  await import("@tensorflow/tfjs-backend-webgpu");
  if (!(await tf.setBackend("webgpu"))) {
    throw new Error(`The webgpu backend failed to initialise on adapter "${adapter.description}"`);
  }
  const software = adapter.isFallbackAdapter ? ", software rasteriser" : "";
  return `adapter "${adapter.description}"${software}`;
}
