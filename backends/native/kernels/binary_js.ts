/**
 * Float32 binary elementwise kernels in JavaScript, with the broadcast
 * patterns CNN training uses (same shape, scalar, per-channel `[..., C]`),
 * each op compiled to its own monomorphic loop. Other patterns and dtypes go
 * to the cpu kernels. They serve small tensors; `binary_onednn.ts` takes the
 * large ones (`../kernels.ts` says which serves what). One-operand ops are in
 * `unary_js.ts`.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { allFloat32, alloc, cpuKernel1, type KernelArgs, output, values } from "./kernel_args.ts";

/** A compiled binary loop over strided operands. */
export type Loop = (
  a: Float32Array,
  b: Float32Array,
  out: Float32Array,
  d: readonly number[],
  sa: readonly number[],
  sb: readonly number[],
) => void;

/** Binary ops as JS expressions of `x` (from a) and `y` (from b). */
const BINARY: Record<string, string> = {
  Add: "x + y",
  Sub: "x - y",
  Multiply: "x * y",
  RealDiv: "x / y",
  Maximum: "(x > y || Number.isNaN(x)) ? x : y",
  Minimum: "(x < y || Number.isNaN(x)) ? x : y",
  SquaredDifference: "(x - y) * (x - y)",
};

// One generated function per op keeps every loop monomorphic. Operands are
// walked with strides over at most three collapsed output dims (stride 0 = broadcast).
/** Compiles a binary loop computing `expr` of `x` (from a) and `y` (from b). */
export function compile(expr: string): Loop {
  return new Function(
    "a",
    "b",
    "out",
    "d",
    "sa",
    "sb",
    `const d0 = d[0], d1 = d[1], d2 = d[2], a2 = sa[2], b2 = sb[2];
     let i = 0;
     for (let i0 = 0; i0 < d0; i0++) {
       for (let i1 = 0; i1 < d1; i1++) {
         let ia = i0 * sa[0] + i1 * sa[1], ib = i0 * sb[0] + i1 * sb[1];
         for (let i2 = 0; i2 < d2; i2++) {
           const x = a[ia], y = b[ib];
           out[i++] = ${expr};
           ia += a2;
           ib += b2;
         }
       }
     }`,
  ) as Loop;
}

/** Output dims and operand strides, collapsed to three levels, or null when they need more. */
export function broadcastPlan(
  aShape: readonly number[],
  bShape: readonly number[],
): { shape: number[]; d: number[]; sa: number[]; sb: number[] } | null {
  const r = Math.max(aShape.length, bShape.length);
  const a = [...Array(r - aShape.length).fill(1), ...aShape];
  const b = [...Array(r - bShape.length).fill(1), ...bShape];
  const shape: number[] = [];
  const groups: { size: number; fa: boolean; fb: boolean }[] = [];
  for (let k = 0; k < r; k++) {
    if (a[k] !== b[k] && a[k] !== 1 && b[k] !== 1) return null;
    const n = Math.max(a[k], b[k]);
    shape.push(n);
    if (n === 1) continue;
    const fa = a[k] === n, fb = b[k] === n, last = groups[groups.length - 1];
    if (last !== undefined && last.fa === fa && last.fb === fb) last.size *= n;
    else groups.push({ size: n, fa, fb });
  }
  if (groups.length > 3) return null;
  while (groups.length < 3) groups.unshift({ size: 1, fa: false, fb: false });
  const d = groups.map((g) => g.size), sa = [0, 0, 0], sb = [0, 0, 0];
  let ma = 1, mb = 1;
  for (let k = 2; k >= 0; k--) {
    if (groups[k].fa) (sa[k] = ma, ma *= d[k]);
    if (groups[k].fb) (sb[k] = mb, mb *= d[k]);
  }
  return { shape, d, sa, sb };
}

/** Builds the binary JS kernels (no native library needed). */
export function binaryJsKernels(): Record<string, (args: KernelArgs) => tf.TensorInfo> {
  const kernels: Record<string, (args: KernelArgs) => tf.TensorInfo> = {};
  for (const [name, expr] of Object.entries(BINARY)) {
    const loop = compile(expr);
    kernels[name] = (args) => {
      const { a, b } = args.inputs;
      const plan = allFloat32(a, b) ? broadcastPlan(a.shape, b.shape) : null;
      if (plan === null) return cpuKernel1(name, args);
      const out = alloc(args.backend, plan.d[0] * plan.d[1] * plan.d[2]);
      if (out.length > 0) {
        loop(values(args.backend, a), values(args.backend, b), out, plan.d, plan.sa, plan.sb);
      }
      return output(args.backend, plan.shape, out);
    };
  }
  return kernels;
}
