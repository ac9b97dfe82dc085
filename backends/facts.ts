/**
 * What each backend is on this machine, before anything is timed: whether it
 * loads (and if not, why, with the install hint), its library and version,
 * and the device it computes on. `auto`'s cache key and `deno task backends`
 * are built from these facts.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { cpuFacts } from "./cpu_facts.ts";
import { tryRegisterNative } from "./native/mod.ts";
import { BACKEND_CANDIDATES, type BackendCandidate } from "./select.ts";
import { findWebgpuAdapter, WEBGPU_INSTALL_HINT } from "./webgpu.ts";

/** One backend as this machine offers it. */
export interface BackendFacts {
  /** The backend's name, as `--backend` takes it. */
  readonly name: BackendCandidate["name"];
  /** Whether it loads here. */
  readonly available: boolean;
  /** Why it does not load (one line); absent when it does. */
  readonly why?: string;
  /** How to make it load (the rest of its error), when it says. */
  readonly hint?: string;
  /** Its library and version, e.g. "oneDNN 2.6.0", "tfjs-backend-wasm 4.22.0 (XNNPACK, SIMD, 1 thread)". */
  readonly version: string;
  /** What it computes on: the CPU and its vector extensions, or the GPU adapter. */
  readonly device: string;
  /** A software GPU (llvmpipe, SwiftShader): usable by name, never chosen by `auto`. */
  readonly software: boolean;
}

function cpuDevice(isa?: string): string {
  const cpu = cpuFacts();
  const ext = isa ?? cpu.isa;
  return `${cpu.model}${ext ? ` (${ext})` : ""}, ${cpu.threads} threads`;
}

function unavailable(name: BackendFacts["name"], error: unknown, device = ""): BackendFacts {
  const [first, ...rest] = String((error as Error)?.message ?? error).split("\n");
  const hint = rest.join("\n").replace(/^\s*\n|\s+$/g, "");
  return {
    name,
    available: false,
    why: first.replace(/[:.]\s*$/, ""),
    ...(hint ? { hint } : {}),
    version: "",
    device,
    software: false,
  };
}

/** Facts of one candidate: loading it makes it the tfjs backend for a moment. */
async function factsOf(candidate: BackendCandidate): Promise<BackendFacts> {
  const { name } = candidate;
  if (name === "webgpu") {
    // The adapter says enough; creating a device costs a second and is left to a measurement.
    const adapter = await findWebgpuAdapter().catch(() => null);
    if (adapter === null) {
      return unavailable(name, new Error(`no WebGPU adapter\n${WEBGPU_INSTALL_HINT}`));
    }
    return {
      name,
      available: true,
      version: `tfjs-backend-webgpu ${tf.version_core}`,
      device: adapter.description,
      software: adapter.isFallbackAdapter,
    };
  }
  let detail: string | undefined;
  try {
    detail = await candidate.activate();
  } catch (error) {
    return unavailable(name, error, name === "tensorflow" ? "" : cpuDevice());
  }
  const base = { name, available: true, software: false } as const;
  if (name === "native") {
    const status = await tryRegisterNative();
    const isa = status.ok ? `oneDNN ${status.bf16Support.isa}` : undefined;
    return {
      ...base,
      version: status.ok ? `oneDNN ${status.version}` : "",
      device: cpuDevice(isa),
    };
  }
  if (name === "tensorflow") {
    const gpu = (detail ?? "").includes("-gpu");
    return {
      ...base,
      version: detail ?? "",
      device: gpu ? "NVIDIA GPU through CUDA (CPU when CUDA does not load)" : cpuDevice(),
    };
  }
  if (name === "wasm") {
    const short = (detail ?? "").split(", skiplab kernels")[0];
    return {
      ...base,
      version: `tfjs-backend-wasm ${tf.version_core} (${short})`,
      device: cpuDevice(),
    };
  }
  return { ...base, version: `tfjs-core ${tf.version_core} (JavaScript)`, device: cpuDevice() };
}

/**
 * The facts of every candidate, in `candidates`' order. The tfjs backend is
 * left at whichever loaded last: select one after.
 *
 * @example
 * ```ts
 * import { backendFacts } from "./facts.ts";
 * for (const b of await backendFacts()) console.log(b.name, b.available ? b.version : b.why);
 * ```
 */
export async function backendFacts(
  candidates: readonly BackendCandidate[] = BACKEND_CANDIDATES,
): Promise<BackendFacts[]> {
  const out: BackendFacts[] = [];
  for (const c of candidates) out.push(await factsOf(c));
  return out;
}
