/**
 * Choosing the tfjs compute backend: by name, or `auto` — the fastest one
 * that can train here.
 *
 * @module
 */
import { BackendUnavailableError } from "./unavailable.ts";
import * as tf from "@tensorflow/tfjs";
import { activateWasm } from "./wasm/activate.ts";
import {
  failureDetails,
  NATIVE_BACKEND,
  type NativeFailure,
  NativeUnavailableError,
  threadsDetail,
  tryRegisterNative,
} from "./native/mod.ts";
import { registerCpuKernels } from "./cpu_kernels.ts";
import { activateTensorflow } from "./tensorflow.ts";
import { activateWebgpu, findWebgpuAdapter } from "./webgpu.ts";

/** Every name {@link selectBackend} accepts. */
export const BACKEND_NAMES: readonly BackendName[] = [
  "auto",
  "native",
  "tensorflow",
  "webgpu",
  "wasm",
  "cpu",
];

/** A backend request: a concrete backend, or `auto`. */
export type BackendName = "auto" | "native" | "tensorflow" | "webgpu" | "wasm" | "cpu";

/** What {@link selectBackend} chose, and why. */
export interface BackendInfo {
  /** The tfjs backend now active (`tf.getBackend()`). */
  readonly name: string;
  /** The name that was asked for. */
  readonly requested: BackendName;
  /** One sentence: which backend and why, e.g. "wasm: fastest backend that can train here (…)". */
  readonly reason: string;
  /** Adapter name, library version, SIMD and threads, when the backend reports them. */
  readonly detail?: string;
}

/**
 * One backend `auto` may pick. `activate` makes it the tfjs backend and
 * resolves to a detail string, or rejects with an Error whose first line says
 * why it cannot run here (the rest may say how to enable it).
 */
export interface BackendCandidate {
  /** The backend's name, as passed to {@link selectBackend}. */
  readonly name: Exclude<BackendName, "auto">;
  /** Sets the tfjs backend; see the interface doc. */
  activate(): Promise<string | undefined>;
  /** Whether it would run on a software device (a GPU backend on llvmpipe): `auto` skips it. */
  software?(): Promise<boolean>;
}

/**
 * tfjs's cpu backend (and native, built on it) prints an advertisement for
 * tfjs-node on first use under Node-compatible runtimes; skiplab says which
 * backend runs and why itself.
 */
function quietCpuBanner(): void {
  const backend = tf.backend() as { firstUse?: boolean };
  if ("firstUse" in backend) backend.firstUse = false;
}

/** Loads oneDNN, registers the `native` backend and makes it current. */
async function activateNative(): Promise<string> {
  const status = await tryRegisterNative();
  if (!status.ok) {
    throw new NativeUnavailableError(status.failure);
  }
  await tf.setBackend(NATIVE_BACKEND);
  quietCpuBanner();
  return `oneDNN ${status.version} (${status.library}), ${threadsDetail(status)}`;
}

/**
 * The backends `auto` tries when it has no model to time (experiment/ times
 * them, backends/auto.ts), likely fastest trainer first; webgpu only on a
 * hardware adapter (on llvmpipe it is the slowest of all). A new backend is
 * one entry.
 */
export const BACKEND_CANDIDATES: readonly BackendCandidate[] = [
  { name: "native", activate: activateNative },
  // Loads tfjs-node only if deno.json maps it: never a download.
  { name: "tensorflow", activate: activateTensorflow },
  {
    name: "webgpu",
    activate: activateWebgpu,
    software: async () => (await findWebgpuAdapter())?.isFallbackAdapter ?? false,
  },
  { name: "wasm", activate: activateWasm },
  {
    name: "cpu",
    activate: async () => {
      await tf.setBackend("cpu");
      quietCpuBanner();
      registerCpuKernels();
      return "pure JavaScript, skiplab Conv2DBackpropFilter";
    },
  },
];

/** Options of {@link selectBackend}. */
export interface SelectBackendOptions {
  /**
   * The backends to choose from, in `auto`'s order of preference.
   * @default BACKEND_CANDIDATES
   */
  readonly candidates?: readonly BackendCandidate[];
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const line = message.split("\n")[0].replace(/[:.]\s*$/, "");
  return line.charAt(0).toLowerCase() + line.slice(1);
}

/**
 * Makes `name` the tfjs backend, or with `auto` the first that loads of
 * native > tensorflow (only if installed) > webgpu (a hardware adapter only)
 * > wasm (with skiplab's gradient kernels) > cpu. A run's `auto` measures
 * instead (experiment/backend_choice.ts).
 *
 * @throws {TypeError} when `name` is not a string
 * @throws {RangeError} when `name` is not one of {@link BACKEND_NAMES}
 * @throws {Error} when a named backend cannot run here, saying why and how
 *   to enable it
 *
 * @example
 * ```ts
 * import { selectBackend } from "./select.ts";
 * const info = await selectBackend("cpu");
 * console.log(info.reason); // "cpu: requested"
 * ```
 */
export async function selectBackend(
  name: BackendName,
  options: SelectBackendOptions = {},
): Promise<BackendInfo> {
  if (typeof name !== "string") {
    throw new TypeError(`Cannot select a backend: 'name' must be a string, got ${typeof name}`);
  }
  if (!BACKEND_NAMES.includes(name)) {
    throw new RangeError(
      `Cannot select backend "${name}": 'name' must be one of ${BACKEND_NAMES.join(", ")}`,
    );
  }
  const candidates = options.candidates ?? BACKEND_CANDIDATES;
  if (name !== "auto") {
    const candidate = candidates.find((c) => c.name === name);
    if (candidate === undefined) {
      throw new RangeError(
        `Cannot select backend "${name}": it is not among the candidates ` +
          `(${candidates.map((c) => c.name).join(", ")})`,
      );
    }
    const detail = await candidate.activate();
    return info(name, `${name}: requested`, detail);
  }
  const skipped: string[] = [];
  let native: NativeFailure | undefined;
  for (const candidate of candidates) {
    if (await candidate.software?.().catch(() => false)) {
      skipped.push(`${candidate.name} not chosen: its adapter is a software one`);
      continue;
    }
    try {
      const detail = await candidate.activate();
      const why = candidate.name === "cpu"
        ? "the only backend that can run here"
        : "fastest backend that can train here";
      const notes = skipped.length > 0 ? ` (${skipped.join("; ")})` : "";
      // Why native could not load, what to install, and what this backend costs instead.
      const more = native === undefined ? [] : failureDetails(native, candidate.name);
      return info("auto", [`${candidate.name}: ${why}${notes}`, ...more].join("\n"), detail);
    } catch (error) {
      skipped.push(`${candidate.name} not available: ${firstLine(error)}`);
      if (error instanceof NativeUnavailableError) native = error.failure;
    }
  }
  throw new BackendUnavailableError(`No backend can run here: ${skipped.join("; ")}`);
}

function info(requested: BackendName, reason: string, detail: string | undefined): BackendInfo {
  const name = tf.getBackend();
  return detail === undefined ? { name, requested, reason } : { name, requested, reason, detail };
}
