/**
 * Float32 one-operand elementwise kernels in JavaScript (Relu, Step, Neg,
 * Square, Sqrt, Rsqrt, Exp, Abs), each op compiled to its own monomorphic loop
 * over the flat array. Other dtypes go to the cpu kernels. They serve small
 * tensors; `relu.ts` and `unary_onednn.ts` take the large ones where oneDNN
 * has the op (`../kernels.ts` says which serves what).
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { allFloat32, alloc, cpuKernel1, type KernelArgs, output, values } from "./kernel_args.ts";

type UnaryLoop = (x: Float32Array, out: Float32Array, alpha: number) => void;

/** Unary ops as JS expressions of `x` (and `alpha` for Step/LeakyRelu). */
const UNARY: Record<string, string> = {
  // Branch-free forms: random signs make `x < 0 ? 0 : x` mispredict (5x slower here).
  // Relu keeps NaN (NaN * 0) and makes -0 +0 (the + 0), as the cpu kernel does. -Infinity * 0
  // would be NaN, so it is tested first: a branch almost never taken costs little (Math.max,
  // also exact, runs 8x slower here).
  Relu: "x === -Infinity ? 0 : x * +(x > 0) + 0",
  Step: "x !== x ? x : +(x > 0) + alpha * +(x <= 0)",
  Neg: "-x",
  Square: "x * x",
  Sqrt: "Math.sqrt(x)",
  Rsqrt: "1 / Math.sqrt(x)",
  Exp: "Math.exp(x)",
  Abs: "Math.abs(x)",
};

function compileUnary(expr: string): UnaryLoop {
  return new Function(
    "xs",
    "out",
    "alpha",
    `for (let i = 0; i < out.length; i++) { const x = xs[i]; out[i] = ${expr}; }`,
  ) as UnaryLoop;
}

/** Builds the one-operand JS kernels (no native library needed). */
export function unaryJsKernels(): Record<string, (args: KernelArgs) => tf.TensorInfo> {
  const kernels: Record<string, (args: KernelArgs) => tf.TensorInfo> = {};
  for (const [name, expr] of Object.entries(UNARY)) {
    const loop = compileUnary(expr);
    kernels[name] = (args) => {
      const { x } = args.inputs;
      if (!allFloat32(x)) return cpuKernel1(name, args);
      const xv = values(args.backend, x);
      const out = alloc(args.backend, xv.length);
      loop(xv, out, Number(args.attrs?.alpha ?? 0));
      return output(args.backend, [...x.shape], out);
    };
  }
  return kernels;
}
