/**
 * ReLU and its gradient on oneDNN for large float32 tensors (vectorised, on
 * all cores); small ones keep the JS kernels, which cost less than a
 * primitive call there. Both run over the flat array, so they serve any
 * layout their operands share (`../memory/layout.ts`).
 *
 * - Relu is oneDNN's binary maximum of a zero array and `x`, in that order:
 *   the x86 `maxps` returns its second operand when either is NaN, so NaN
 *   stays NaN and −∞ becomes 0, as tfjs's Relu has it (oneDNN's eltwise ReLU
 *   maps NaN to 0).
 * - {@link RELU_GRAD_KERNEL} is oneDNN's eltwise ReLU backward: `dy` where
 *   `x > 0`, else `0·dy`, bit for bit what the JS kernel gives, except where
 *   `x` is NaN: oneDNN passes `dy` through there (as PyTorch's ReLU gradient
 *   does), tfjs's Step makes it NaN. A NaN input has already made the loss
 *   NaN, so training sees no difference; matching tfjs there would cost a
 *   second pass over `x`, most of what the primitive saves.
 *
 * Each path is probed once on the special values (NaN, ±∞, ±0, denormals)
 * and left for JS where the result differs, as another instruction set or a
 * reference kernel may.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { Cache, Primitive } from "../onednn/primitives.ts";
import type { Dnnl } from "../onednn/api.ts";
import { RELU_GRAD_KERNEL } from "../gradients/relu_square_js.ts";
import { allFloat32, alloc, type CpuLike, type KernelArgs, output, values } from "./kernel_args.ts";

type Kernel = (args: KernelArgs) => tf.TensorInfo;

const SPECIALS = [NaN, -Infinity, Infinity, -0, 0, -1, 2, 1e-45, -1e-45, 3e38, -3e38];

function maxPrimitive(dnnl: Dnnl, n: number): Primitive {
  const E = dnnl.E;
  const md = dnnl.memoryDesc([1, 1, n], E.tagAbc);
  return new Primitive(dnnl, dnnl.binary(E.binaryMax, md, md, md), [
    { arg: E.argSrc, md },
    { arg: E.argSrc1, md },
    { arg: E.argDst, md },
  ]);
}

function reluBackward(dnnl: Dnnl, n: number): Primitive {
  const E = dnnl.E;
  const md = dnnl.memoryDesc([n], E.tagA);
  return new Primitive(dnnl, dnnl.eltwiseBackward(E.eltwiseRelu, md, 0, 0), [
    { arg: E.argSrc, md },
    { arg: E.argDiffDst, md },
    { arg: E.argDiffSrc, md },
  ]);
}

/** The JS kernels' ReLU gradient of one element, or null where the native one may differ. */
function wantGrad(dy: number, x: number): number | null {
  return Number.isNaN(x) ? null : dy * +(x > 0);
}

/**
 * The oneDNN Relu and ReLU-gradient kernels, for tensors of at least `min`
 * elements; `js` holds the JS kernels of the same names for the rest.
 */
export function reluKernels(
  dnnl: Dnnl,
  js: Record<string, Kernel>,
  min: number,
): Record<string, Kernel> {
  const cache = new Cache<Primitive>();
  // The zero operand: one output-pool array, grown to the largest input and never returned.
  let zeros: Float32Array = new Float32Array(0);
  const relu = (backend: CpuLike, x: Float32Array, out: Float32Array) => {
    const n = x.length;
    if (zeros.length < n) zeros = alloc(backend, n).fill(0);
    cache.get(`relu|${n}`, () => maxPrimitive(dnnl, n)).execute([zeros.subarray(0, n), x, out]);
  };
  const grad = (x: Float32Array, dy: Float32Array, out: Float32Array) =>
    cache.get(`grad|${x.length}`, () => reluBackward(dnnl, x.length)).execute([x, dy, out]);

  const probeRelu = (backend: CpuLike) => {
    const x = alloc(backend, 64).map((_, i) => SPECIALS[i % SPECIALS.length]);
    const got = alloc(backend, 64);
    relu(backend, x, got);
    return x.every((v, i) => Object.is(got[i], v < 0 ? 0 : v));
  };
  const probeGrad = (backend: CpuLike) => {
    const dys = [1, -1, NaN, Infinity, -Infinity, 0, -0, 2.5, 1e-45];
    const k = SPECIALS.length * dys.length;
    const x = alloc(backend, k), dy = alloc(backend, k), got = alloc(backend, k);
    for (let i = 0; i < k; i++) {
      x[i] = SPECIALS[i % SPECIALS.length];
      dy[i] = dys[Math.floor(i / SPECIALS.length)];
    }
    grad(x, dy, got);
    for (let i = 0; i < k; i++) {
      const want = wantGrad(dy[i], x[i]);
      if (want === null ? !Object.is(got[i], dy[i]) : !Object.is(got[i], Math.fround(want))) {
        return false;
      }
    }
    return true;
  };
  let reluOk: boolean | undefined, gradOk: boolean | undefined;
  const size = (t: tf.TensorInfo) => t.shape.reduce((p, v) => p * v, 1);

  return {
    Relu(args) {
      const { x } = args.inputs;
      const n = size(x);
      if (!allFloat32(x) || n < min || !(reluOk ??= probeRelu(args.backend))) return js.Relu(args);
      const res = alloc(args.backend, n);
      relu(args.backend, values(args.backend, x), res);
      return output(args.backend, [...x.shape], res);
    },
    [RELU_GRAD_KERNEL](args) {
      const { dy, x } = args.inputs;
      const n = size(x);
      if (
        !allFloat32(dy, x) || dy.shape.join() !== x.shape.join() || n < min ||
        !(gradOk ??= probeGrad(args.backend))
      ) {
        return js[RELU_GRAD_KERNEL](args);
      }
      const res = alloc(args.backend, n);
      grad(values(args.backend, x), values(args.backend, dy), res);
      return output(args.backend, [...x.shape], res);
    },
  };
}
