/**
 * Registers the `native` tfjs backend: every kernel of the cpu backend, with
 * those of the kernel table (`kernels.ts`) served by skiplab's own: oneDNN
 * primitives called through Deno FFI, and JS loops for small tensors.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Dnnl } from "./onednn/api.ts";
import { DnnlNotFoundError, openDnnl } from "./onednn/open.ts";
import { type NativeFailure, nativeFailure } from "./unavailable.ts";
import { chooseWaitPolicy, followsLoad, type WaitPolicy } from "./onednn/threads.ts";
import { guardAliases, NativeBackend } from "./backend.ts";
import { installNativeGradients } from "./gradients/overrides.ts";
import { type KernelSource, NATIVE_KERNELS, nativeKernels } from "./kernels.ts";
import { installEarlyRelease } from "./memory/release.ts";
import { installFusedConv2dGradient } from "../../core/conv2d_gradient.ts";
import { CONV2D_ADD_RELU_KERNEL } from "../../core/conv2d_add_relu.ts";
import {
  BATCH_NORM_RELU_TRAINING_KERNEL,
  BATCH_NORM_TRAINING_GRAD_KERNEL,
  BATCH_NORM_TRAINING_KERNEL,
} from "./kernels/batch_norm.ts";
import { installBatchNormTrainingGradient } from "./gradients/batch_norm_training.ts";
import { installZeroPadShortcutGradient } from "./gradients/zero_pad_shortcut.ts";
import { RELU_GRAD_KERNEL } from "./gradients/relu_square_js.ts";
import { inherit, initLayouts, plainInputs } from "./memory/layout.ts";
import { installLeanSaves } from "./memory/saves.ts";
import {
  ZERO_PAD_SHORTCUT_GRAD_KERNEL,
  ZERO_PAD_SHORTCUT_KERNEL,
} from "../../core/zero_pad_shortcut.ts";
import { bf16ConvImplementation, type Bf16Support, cpuBf16Support } from "./memory/precision.ts";
import { convRunsAs } from "./kernels/conv2d.ts";

/** Name under which the backend is registered with tfjs. */
export const NATIVE_BACKEND = "native";

/** What {@link tryRegisterNative} found: the library in use, or why not. */
export type NativeStatus =
  | {
    ok: true;
    /** The library opened: a path, or a bare name the system loader resolved. */
    library: string;
    /** oneDNN's version, e.g. `3.7.1`. */
    version: string;
    /** Its C API generation: 2 or 3. */
    api: 2 | 3;
    /** oneDNN's threads when it opened (fewer later while other processes hold cores). */
    threads: number;
    /** How idle threads wait: as the user set it, spinning first, or sleeping at once. */
    waitPolicy: WaitPolicy;
    /**
     * What runs an fp32 ResNet-sized 3x3 convolution here: oneDNN's implementation,
     * e.g. `jit:avx2`, or skiplab's Winograd, `skiplab:winograd_4x3` (`convRunsAs`).
     */
    conv: string | null;
    /** Its bf16 implementation, or null where oneDNN has none (see `resolvePrecision`). */
    bf16Conv: string | null;
    /** What the CPU offers for bf16, as oneDNN sees it. */
    bf16Support: Bf16Support;
  }
  | {
    ok: false;
    /** One line: why, and the install command. */
    reason: string;
    /** The whole story: what was tried, why each failed, how to install (`unavailable.ts`). */
    failure: NativeFailure;
  };

function failed(failure: NativeFailure): NativeStatus {
  return { ok: false, reason: `${failure.reason}; install: ${failure.install}`, failure };
}

let pending: Promise<NativeStatus> | undefined;
let opened: Dnnl | undefined;

/**
 * The oneDNN the native backend runs on, once {@link tryRegisterNative}
 * succeeded; for `peak.ts`, which times primitives on it (not exported by mod.ts).
 */
export function nativeDnnl(): Dnnl | undefined {
  return opened;
}

/** Kernels that read blocked activations themselves; all others get NHWC (`memory/layout.ts`). */
const LAYOUT_AWARE: ReadonlySet<string> = new Set([
  "Conv2D",
  "FusedConv2D",
  "Conv2DBackpropInput",
  "Conv2DBackpropFilter",
  "FusedBatchNorm",
  CONV2D_ADD_RELU_KERNEL,
  ZERO_PAD_SHORTCUT_KERNEL,
  ZERO_PAD_SHORTCUT_GRAD_KERNEL,
  BATCH_NORM_TRAINING_KERNEL,
  BATCH_NORM_RELU_TRAINING_KERNEL,
  BATCH_NORM_TRAINING_GRAD_KERNEL,
  "MaxPool",
  "AvgPool",
  "MaxPoolGrad",
  "AvgPoolGrad",
  "Sum",
  "Mean",
]);
/** Kernels whose output keeps the layout of inputs that share one. */
const LAYOUT_AGNOSTIC: ReadonlySet<string> = new Set([
  "Relu",
  RELU_GRAD_KERNEL,
  "Add",
  "Reshape",
  "Identity",
]);

function layouts(kernelName: string, kernel: tf.KernelFunc): tf.KernelFunc {
  if (LAYOUT_AGNOSTIC.has(kernelName)) return inherit(kernelName, kernel);
  if (kernelName === "Cast") return sameDtypeCast(kernel);
  return LAYOUT_AWARE.has(kernelName) ? kernel : plainInputs(kernel);
}

/**
 * Cast to the dtype a tensor has shares its dataId (tfjs's Identity gradient
 * does it to every gradient passing an Identity, such as a residual Add's
 * clone): the values stay as they are, in any layout. Real casts read NHWC.
 */
function sameDtypeCast(kernel: tf.KernelFunc): tf.KernelFunc {
  const plain = plainInputs(kernel);
  return (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const same = (args.attrs as unknown as tf.CastAttrs).dtype === x.dtype;
    return same ? kernel(args) : plain(args);
  };
}

/** Which implementation serves each kernel registered on the native backend. */
const served = new Map<string, KernelSource | "cpu">();

/**
 * The kernels registered on the native backend, each with the file that
 * serves it (the first of its chain in `NATIVE_KERNELS`) or `cpu` for the cpu
 * backend's own; empty before {@link tryRegisterNative} succeeds.
 */
export function nativeKernelSources(): ReadonlyMap<string, KernelSource | "cpu"> {
  return served;
}

function register(dnnl: Dnnl): void {
  initLayouts(dnnl);
  const overrides = nativeKernels(dnnl);
  const seen = new Set<string>();
  for (const config of tf.getKernelsForBackend("cpu")) {
    const own = overrides[config.kernelName];
    seen.add(config.kernelName);
    served.set(config.kernelName, NATIVE_KERNELS[config.kernelName]?.chain[0] ?? "cpu");
    tf.registerKernel({
      ...config,
      backendName: NATIVE_BACKEND,
      kernelFunc: guardAliases(
        layouts(config.kernelName, (own ?? config.kernelFunc) as tf.KernelFunc),
      ),
    });
  }
  // Kernels of skiplab's own (e.g. the fused Adam step) that the cpu backend lacks.
  for (const [kernelName, kernelFunc] of Object.entries(overrides)) {
    if (seen.has(kernelName)) continue;
    served.set(kernelName, NATIVE_KERNELS[kernelName].chain[0]);
    tf.registerKernel({
      kernelName,
      backendName: NATIVE_BACKEND,
      kernelFunc: layouts(kernelName, kernelFunc as tf.KernelFunc),
    });
  }
  // Gradient changes act only while the native backend is active; see each module.
  installNativeGradients(NATIVE_BACKEND);
  installBatchNormTrainingGradient();
  installZeroPadShortcutGradient();
  installLeanSaves(NATIVE_BACKEND);
  // skiplab's convolutions differentiate through it (layers/conv2d.ts): there before the wrapping.
  installFusedConv2dGradient(tf);
  installEarlyRelease(NATIVE_BACKEND, [
    ...seen,
    BATCH_NORM_TRAINING_KERNEL,
    BATCH_NORM_RELU_TRAINING_KERNEL,
  ]);
  // Priority 0 keeps tfjs from picking it on its own; callers choose it explicitly.
  tf.registerBackend(NATIVE_BACKEND, () => new NativeBackend(), 0);
}

/**
 * oneDNN's thread count: `OMP_NUM_THREADS` when set (a sweep gives each of
 * its workers a share of the cores this way), else every hardware thread.
 */
function threadsWanted(): number {
  let fromEnv: string | undefined;
  try {
    fromEnv = Deno.env.get("OMP_NUM_THREADS");
  } catch {
    fromEnv = undefined; // without --allow-env for it, the default
  }
  const n = Number(fromEnv);
  return fromEnv !== undefined && Number.isInteger(n) && n >= 1
    ? n
    : navigator.hardwareConcurrency || 1;
}

async function attempt(): Promise<NativeStatus> {
  if (typeof Deno?.dlopen !== "function") {
    return failed(nativeFailure("Deno.dlopen is unavailable in this runtime"));
  }
  if (Deno.permissions.querySync({ name: "ffi" }).state !== "granted") {
    return failed(nativeFailure("FFI permission missing: run Deno with --allow-ffi"));
  }
  let dnnl: Dnnl;
  const threads = threadsWanted();
  const policy = await chooseWaitPolicy(threads);
  try {
    dnnl = openDnnl(threads, policy);
  } catch (e) {
    if (!(e instanceof DnnlNotFoundError)) throw e;
    const explicit = e.attempts.length === 1 && e.attempts[0].source === "SKIPLAB_DNNL";
    return failed(nativeFailure(
      explicit ? `SKIPLAB_DNNL names no usable oneDNN` : "no usable oneDNN found",
      e.attempts,
    ));
  }
  if (tf.findBackendFactory(NATIVE_BACKEND) === null) register(dnnl);
  opened = dnnl;
  return {
    ok: true,
    library: dnnl.path,
    version: dnnl.version,
    api: dnnl.generation,
    threads: dnnl.threads.count,
    waitPolicy: dnnl.threads.policy,
    conv: convRunsAs(dnnl),
    bf16Conv: bf16ConvImplementation(dnnl),
    bf16Support: cpuBf16Support(dnnl),
  };
}

/** The status's threads in words, e.g. `2 threads, spinning while waiting`. */
export function threadsDetail(status: Extract<NativeStatus, { ok: true }>): string {
  const wait = {
    spin: "spinning while waiting (the cores were free when oneDNN loaded)" +
      (followsLoad() ? "; fewer while other processes hold cores" : ""),
    passive: "sleeping while waiting (other processes held cores when oneDNN loaded)",
    user: "waiting as the OpenMP variables set",
  }[status.waitPolicy];
  return `${status.threads} thread${status.threads === 1 ? "" : "s"}, ${wait}`;
}

/**
 * Loads oneDNN and registers the `native` backend with tfjs; idempotent (later
 * calls return the first result). It does not switch backends: call
 * `tf.setBackend("native")` when the result is ok.
 *
 * @example
 * ```ts
 * import { tryRegisterNative } from "./register.ts";
 * const status = await tryRegisterNative();
 * console.log(status.ok ? `oneDNN ${status.version}` : status.reason);
 * ```
 */
export function tryRegisterNative(): Promise<NativeStatus> {
  pending ??= Promise.resolve().then(attempt);
  return pending;
}
