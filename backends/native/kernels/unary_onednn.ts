/**
 * Large one-operand elementwise ops on oneDNN's eltwise primitive
 * (vectorised, on all cores): Square and Neg. Small tensors and other dtypes
 * keep the single-threaded JS kernels of `unary_js.ts`, which cost less than a
 * primitive call there (`../kernels.ts` sets the size). Relu is not one of
 * them: oneDNN's eltwise ReLU maps NaN to 0, tfjs's keeps NaN (see `relu.ts`).
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { Cache, Primitive } from "../onednn/primitives.ts";
import type { Dnnl, Enums } from "../onednn/api.ts";
import { allFloat32, alloc, type KernelArgs, output, values } from "./kernel_args.ts";

type Kernel = (args: KernelArgs) => tf.TensorInfo;

/** Eltwise algorithm, alpha, beta. */
const UNARY: Record<string, (e: Enums) => [number, number, number]> = {
  Square: (e) => [e.eltwiseSquare, 0, 0],
  Neg: (e) => [e.eltwiseLinear, -1, 0],
};

function eltwise(dnnl: Dnnl, n: number, [alg, alpha, beta]: [number, number, number]) {
  const E = dnnl.E;
  const md = dnnl.memoryDesc([n], E.tagA);
  return new Primitive(dnnl, dnnl.eltwiseForward(E.forwardInference, alg, md, alpha, beta), [
    { arg: E.argSrc, md },
    { arg: E.argDst, md },
  ]);
}

/**
 * The oneDNN one-operand kernels for tensors of at least `min` elements; `js`
 * holds the JS kernels of the same names for the rest.
 */
export function unaryOnednnKernels(
  dnnl: Dnnl,
  js: Record<string, Kernel>,
  min: number,
): Record<string, Kernel> {
  const cache = new Cache<Primitive>();
  const out: Record<string, Kernel> = {};
  const size = (s: readonly number[]) => s.reduce((p, v) => p * v, 1);

  for (const [name, spec] of Object.entries(UNARY)) {
    out[name] = (args) => {
      const { x } = args.inputs;
      const n = size(x.shape);
      if (!allFloat32(x) || n < min) return js[name](args);
      const prim = cache.get(`${name}|${n}`, () => eltwise(dnnl, n, spec(dnnl.E)));
      const res = alloc(args.backend, n);
      prim.execute([values(args.backend, x), res]);
      return output(args.backend, [...x.shape], res);
    };
  }
  return out;
}
