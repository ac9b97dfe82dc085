/**
 * The fused Adam step ({@link FUSED_ADAM_KERNEL}) in JavaScript: one pass over
 * a variable, its two moment slots and its gradient, instead of about ten
 * elementwise ops (each allocating a variable-sized array) per variable and
 * step. It serves the small variables; large ones run on oneDNN
 * (`adam_onednn.ts`; `../kernels.ts` sets the size).
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { FUSED_ADAM_KERNEL, type FusedAdamAttrs } from "../../../core/fused_adam.ts";
import { alloc, type KernelArgs, output, values } from "./kernel_args.ts";

export { FUSED_ADAM_KERNEL };

/** Runs one Adam step on float32 arrays, writing the new values to the `out*` arrays. */
export function adamStep(
  w: Float32Array,
  m: Float32Array,
  v: Float32Array,
  g: Float32Array,
  outW: Float32Array,
  outM: Float32Array,
  outV: Float32Array,
  a: FusedAdamAttrs,
): void {
  // Constants are the float32 scalars the composed ops use; intermediates stay in
  // float64 (rounding each to float32 as the composed ops do costs 3x the time),
  // so results differ from the composed path by about one float32 ulp.
  const f = Math.fround;
  const b1 = f(a.beta1), b2 = f(a.beta2), c1 = f(1 - a.beta1), c2 = f(1 - a.beta2);
  const eps = f(a.epsilon), step = f(a.stepSize), decay = f(a.decay);
  for (let i = 0; i < w.length; i++) {
    const gi = g[i], wi = w[i];
    const mi = m[i] * b1 + gi * c1;
    const vi = v[i] * b2 + gi * gi * c2;
    outW[i] = wi - (mi / (Math.sqrt(vi) + eps) * step + wi * decay);
    outM[i] = mi;
    outV[i] = vi;
  }
}

/** The inputs of one fused Adam call, checked, and its three fresh outputs. */
export interface AdamCall {
  /** The variable, m, v and gradient values. */
  readonly ins: readonly Float32Array[];
  /** The new variable, m and v values, to be written. */
  readonly outs: readonly Float32Array[];
  /** The step's hyperparameters. */
  readonly attrs: FusedAdamAttrs;
  /** Wraps the written `outs` as the kernel's outputs. */
  finish(): tf.TensorInfo[];
}

/** Checks a fused Adam call's inputs (float32, one size) and allocates its outputs. */
export function adamCall(args: KernelArgs): AdamCall {
  const { variable, m, v, grad } = args.inputs;
  const ins = [variable, m, v, grad];
  const n = variable.shape.reduce((p, d) => p * d, 1);
  if (ins.some((t) => t.dtype !== "float32" || t.shape.reduce((p, d) => p * d, 1) !== n)) {
    throw new TypeError(
      `${FUSED_ADAM_KERNEL}: 'variable', 'm', 'v' and 'grad' must be float32 of one size, got ` +
        ins.map((t) => `${t.dtype}[${t.shape}]`).join(", "),
    );
  }
  const b = args.backend;
  const outs = [alloc(b, n), alloc(b, n), alloc(b, n)];
  return {
    ins: ins.map((t) => values(b, t)),
    outs,
    attrs: args.attrs as unknown as FusedAdamAttrs,
    finish: () => outs.map((o) => output(b, [...variable.shape], o)),
  };
}

/** The fused Adam kernel of the JS loop (no native library needed). */
export function adamJsKernels(): Record<string, (args: KernelArgs) => tf.TensorInfo[]> {
  return {
    [FUSED_ADAM_KERNEL](args) {
      const { ins: [w, m, v, g], outs: [outW, outM, outV], attrs, finish } = adamCall(args);
      adamStep(w, m, v, g, outW, outM, outV, attrs);
      return finish();
    },
  };
}
