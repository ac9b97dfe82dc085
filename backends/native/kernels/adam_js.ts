/**
 * The fused Adam step ({@link FUSED_ADAM_KERNEL}): one pass over a variable,
 * its two moment slots and its gradient, instead of about ten elementwise ops
 * (each allocating a variable-sized array) per variable and step; large
 * variables run on oneDNN (`adam_onednn.ts`).
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { FUSED_ADAM_KERNEL, type FusedAdamAttrs } from "../../../core/fused_adam.ts";
import { alloc, type KernelArgs, output, values } from "./kernel_args.ts";
import { OneDnnAdam } from "./adam_onednn.ts";
import { NATIVE_ELTWISE_MIN } from "./binary_onednn.ts";
import type { Dnnl } from "../onednn/v2/ffi.ts";

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

function fusedAdam(args: KernelArgs, native?: OneDnnAdam): tf.TensorInfo[] {
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
  const [wv, mv, vv, gv] = ins.map((t) => values(args.backend, t));
  const attrs = args.attrs as unknown as FusedAdamAttrs;
  if (native !== undefined && n >= NATIVE_ELTWISE_MIN && attrs.decay < 1) {
    native.step(b, [wv, mv, vv, gv], outs, attrs);
  } else {
    adamStep(wv, mv, vv, gv, outs[0], outs[1], outs[2], attrs);
  }
  return outs.map((o) => output(args.backend, [...variable.shape], o));
}

/**
 * The fused optimiser kernels: large variables on oneDNN when `dnnl` is given
 * (`adam_onednn.ts`), the others, or all without it, in the JS loop.
 */
export function optimizerKernels(
  dnnl?: Dnnl,
): Record<string, (args: KernelArgs) => tf.TensorInfo[]> {
  const native = dnnl === undefined ? undefined : new OneDnnAdam(dnnl);
  return { [FUSED_ADAM_KERNEL]: (args) => fusedAdam(args, native) };
}
