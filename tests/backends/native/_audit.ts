/**
 * Test helper: checks every native kernel call of a computation against the
 * cpu backend's kernel run on copies of the same inputs.
 *
 * Comparing whole trainings cannot tell a wrong kernel from float rounding
 * when a ReLU input lies within rounding of zero: a deep batch-normalised
 * network then takes the other branch on one backend and its gradients differ
 * by percents (resnet18_noskip on batch 2 does, and on the cpu backend alone
 * perturbing the input by 1e-7 does the same). Checking each call on identical
 * inputs has no such kink, so its tolerance can stay at float rounding.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { NATIVE_BACKEND } from "../../../backends/native/mod.ts";

/** What {@link auditKernels} saw. */
export interface Audit<T> {
  /** What the audited function returned. */
  result: T;
  /** Number of kernel calls checked against the cpu kernel. */
  calls: number;
  /** Worst error per kernel name, relative to the largest input or output magnitude. */
  worst: Map<string, { error: number; shapes: string }>;
  /** Kernels that ran with no cpu counterpart to check against (skiplab's own). */
  unchecked: Set<string>;
}

function floats(backend: tf.MathBackendCPU, t: tf.TensorInfo): Float32Array | undefined {
  if (t.dtype !== "float32") return undefined;
  return backend.readSync(t.dataId) as Float32Array;
}

function largest(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) if (Math.abs(a[i]) > m) m = Math.abs(a[i]);
  return m;
}

/** Largest |got − want| over `scale`; Infinity when lengths or NaN positions differ. */
function error(got: ArrayLike<number>, want: ArrayLike<number>, scale: number): number {
  if (got.length !== want.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < want.length; i++) {
    const nan = Number.isNaN(want[i]);
    if (nan !== Number.isNaN(got[i])) return Infinity;
    if (!nan) worst = Math.max(worst, Math.abs(got[i] - want[i]));
  }
  return scale > 0 ? worst / scale : worst;
}

/**
 * Runs `f` (on the native backend) with every native kernel checked against
 * the cpu kernel of the same name on copies of its inputs, and restores the
 * kernels afterwards. The scale of a call's error is the largest magnitude
 * among its float inputs and the cpu output, so that sums which cancel to
 * nearly zero are judged by the size of what they summed.
 */
export function auditKernels<T>(f: () => T): Audit<T> {
  const cpu = tf.findBackend("cpu") as tf.MathBackendCPU;
  const originals = tf.getKernelsForBackend(NATIVE_BACKEND);
  const worst = new Map<string, { error: number; shapes: string }>();
  const unchecked = new Set<string>();
  let calls = 0;
  const check = (config: tf.KernelConfig, args: Parameters<tf.KernelFunc>[0], out: unknown) => {
    const reference = tf.getKernel(config.kernelName, "cpu");
    if (reference === undefined) return void unchecked.add(config.kernelName);
    const native = args.backend as tf.MathBackendCPU;
    const inputs: Record<string, tf.TensorInfo> = {};
    let scale = 0;
    for (const [name, t] of Object.entries(args.inputs)) {
      if (t == null) continue;
      const v = native.readSync(t.dataId) as tf.backend_util.TypedArray;
      if (t.dtype === "float32") scale = Math.max(scale, largest(v));
      inputs[name] = { ...t, dataId: cpu.write(v.slice(), t.shape, t.dtype) };
    }
    const want = reference.kernelFunc({ inputs, backend: cpu, attrs: args.attrs });
    const gots = (Array.isArray(out) ? out : [out]) as tf.TensorInfo[];
    const wants = Array.isArray(want) ? want : [want];
    gots.forEach((got, k) => {
      const g = floats(native, got);
      const w = floats(cpu, wants[k]);
      if (g === undefined || w === undefined) return;
      const e = error(g, w, Math.max(scale, largest(w)));
      if (e >= (worst.get(config.kernelName)?.error ?? -1)) {
        const shapes = Object.values(inputs).map((t) => `[${t.shape}]`).join(" ");
        worst.set(config.kernelName, { error: e, shapes });
      }
    });
    for (const t of [...Object.values(inputs), ...wants]) cpu.disposeData(t.dataId, true);
    calls++;
  };
  for (const config of originals) {
    tf.unregisterKernel(config.kernelName, NATIVE_BACKEND);
    tf.registerKernel({
      ...config,
      kernelFunc: (args) => {
        const out = config.kernelFunc(args);
        check(config, args, out);
        return out;
      },
    });
  }
  try {
    const result = f();
    return { result, calls, worst, unchecked };
  } finally {
    for (const config of originals) {
      tf.unregisterKernel(config.kernelName, NATIVE_BACKEND);
      tf.registerKernel(config);
    }
  }
}
