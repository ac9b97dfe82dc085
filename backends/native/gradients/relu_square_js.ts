/**
 * JavaScript kernels for the gradients of ReLU and Square: one pass over `dy`
 * and `x` each, instead of tfjs's two elementwise ops (Step then Multiply;
 * Multiply by 2 then Multiply). Used by the native gradients (`overrides.ts`);
 * they serve small tensors, `../kernels/relu.ts` and
 * `../kernels/binary_onednn.ts` the large ones (`../kernels.ts`).
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { compile } from "../kernels/binary_js.ts";
import { allFloat32, alloc, type KernelArgs, output, values } from "../kernels/kernel_args.ts";

/** ReLU's gradient: `dy` where `x > 0`, else 0 (NaN where x is NaN, as tfjs's Step gives). */
export const RELU_GRAD_KERNEL = "SkiplabReluGrad";
/** Square's gradient: `dy · 2x`. */
export const SQUARE_GRAD_KERNEL = "SkiplabSquareGrad";

// Expressions of dy (`x`) and the forward input (`y`), rounded as tfjs's op pairs round.
const EXPRESSIONS: Record<string, string> = {
  [RELU_GRAD_KERNEL]: "y !== y ? y : x * +(y > 0)",
  [SQUARE_GRAD_KERNEL]: "x * (y * 2)",
};

/** Builds the JS gradient kernels (inputs `dy`, `x` of one float32 shape). */
export function reluSquareGradJsKernels(): Record<string, (args: KernelArgs) => tf.TensorInfo> {
  const kernels: Record<string, (args: KernelArgs) => tf.TensorInfo> = {};
  for (const [name, expr] of Object.entries(EXPRESSIONS)) {
    const loop = compile(expr);
    kernels[name] = (args) => {
      const { dy, x } = args.inputs;
      if (!allFloat32(dy, x) || dy.shape.join() !== x.shape.join()) {
        throw new TypeError(
          `${name}: 'dy' and 'x' must be float32 of one shape, got ` +
            `${dy.dtype}[${dy.shape}] and ${x.dtype}[${x.shape}]`,
        );
      }
      const n = x.shape.reduce((p, v) => p * v, 1);
      const out = alloc(args.backend, n);
      const flat = [0, 0, 1];
      if (n > 0) {
        loop(values(args.backend, dy), values(args.backend, x), out, [1, 1, n], flat, flat);
      }
      return output(args.backend, [...x.shape], out);
    };
  }
  return kernels;
}
