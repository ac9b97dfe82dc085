/**
 * Large elementwise ops on oneDNN's binary and eltwise primitives
 * (vectorised, on all cores): Add, Sub, Multiply, RealDiv (same shape, or the
 * second operand broadcast), Square, Neg and Square's gradient; Relu and its
 * gradient come from `relu.ts`. Small tensors, other patterns and other
 * dtypes keep the single-threaded JS kernels, which cost less than a
 * primitive call there. Results are the correctly rounded float32 values the
 * JS kernels give. Sum and Mean over the batch and both image axes
 * (batch-norm statistics) average each image with a pooling primitive
 * (oneDNN 2.6's reduction primitive runs reference code there, 40× slower
 * than a JS loop), within 1e-6 relative of the JS float64 sums.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { Cache, dims, memoryDesc, Primitive, primitiveDesc } from "../onednn/v2/primitives.ts";
import { type Dnnl, E, SIZE } from "../onednn/v2/ffi.ts";
import { broadcastPlan } from "./binary_js.ts";
import { SQUARE_GRAD_KERNEL } from "../gradients/relu_square_js.ts";
import { reluKernels } from "./relu.ts";
import {
  allFloat32,
  alloc,
  INPUT_SHAPE_ATTR,
  type KernelArgs,
  output,
  values,
} from "./kernel_args.ts";

type Kernel = (args: KernelArgs) => tf.TensorInfo;

/** Outputs smaller than this many elements stay in JS. */
export const NATIVE_ELTWISE_MIN = 1 << 17;

const BINARY: Record<string, number> = {
  Add: 0x1fff0,
  Multiply: 0x1fff1,
  RealDiv: 0x1fff4,
  Sub: 0x1fff5,
};
const COMMUTATIVE = new Set(["Add", "Multiply"]);
/** Eltwise algorithm, alpha, beta. */
// (Relu is not one of them: oneDNN's eltwise ReLU maps NaN to 0, tfjs's keeps NaN; see relu.ts.)
const UNARY: Record<string, [number, number, number]> = {
  Square: [79, 0, 0],
  Neg: [127, -1, 0],
};
const TAG_ABC = 4;

function postOpScale(dnnl: Dnnl, alpha: number): Deno.PointerValue {
  const cell = new BigUint64Array(1);
  dnnl.lib.dnnl_post_ops_create(cell);
  const ops = Deno.UnsafePointer.create(cell[0]);
  dnnl.lib.dnnl_post_ops_append_eltwise(ops, 1, 127, alpha, 0);
  dnnl.lib.dnnl_primitive_attr_create(cell);
  const attr = Deno.UnsafePointer.create(cell[0]);
  dnnl.lib.dnnl_primitive_attr_set_post_ops(attr, ops);
  return attr;
}

function binary(dnnl: Dnnl, alg: number, d0: number[], d1: number[], scale = 1): Primitive {
  const [src0, src1] = [memoryDesc(dnnl, d0, TAG_ABC), memoryDesc(dnnl, d1, TAG_ABC)];
  const desc = new Uint8Array(SIZE.binaryDesc);
  const status = dnnl.lib.dnnl_binary_desc_init(desc, alg, src0, src1, src0);
  if (status !== 0) throw new Error(`oneDNN binary_desc_init failed (${status})`);
  const pd = primitiveDesc(dnnl, desc, scale === 1 ? null : postOpScale(dnnl, scale));
  return new Primitive(dnnl, pd, [
    { arg: E.argSrc, md: src0 },
    { arg: 2, md: src1 }, // DNNL_ARG_SRC_1
    { arg: E.argDst, md: src0 },
  ]);
}

function eltwise(dnnl: Dnnl, n: number, [alg, alpha, beta]: [number, number, number]) {
  const md = memoryDesc(dnnl, [n], E.tagA);
  const desc = new Uint8Array(SIZE.eltwiseDesc);
  const status = dnnl.lib.dnnl_eltwise_forward_desc_init(
    desc,
    E.forwardInference,
    alg,
    md,
    alpha,
    beta,
  );
  if (status !== 0) throw new Error(`oneDNN eltwise_forward_desc_init failed (${status})`);
  return new Primitive(dnnl, primitiveDesc(dnnl, desc), [
    { arg: E.argSrc, md },
    { arg: E.argDst, md },
  ]);
}

/** Average pooling of NHWC `[n, h, w, c]` over whole images, to `[n, 1, 1, c]`. */
function imageMeans(dnnl: Dnnl, [n, h, w, c]: readonly number[]): Primitive {
  const src = memoryDesc(dnnl, [n, c, h, w], E.tagNhwc);
  const dst = memoryDesc(dnnl, [n, c, 1, 1], E.tagNhwc);
  const desc = new Uint8Array(SIZE.poolDesc);
  const zero = dims([0, 0]);
  const status = dnnl.lib.dnnl_pooling_v2_forward_desc_init(
    desc,
    E.forwardInference,
    E.poolAvgExclude,
    src,
    dst,
    dims([h, w]),
    dims([h, w]),
    zero,
    zero,
    zero,
  );
  if (status !== 0) throw new Error(`oneDNN pooling_v2_forward_desc_init failed (${status})`);
  return new Primitive(dnnl, primitiveDesc(dnnl, desc), [
    { arg: E.argSrc, md: src },
    { arg: E.argDst, md: dst },
  ]);
}

/**
 * Wraps the JS kernels `js` (by name) with oneDNN paths for large float32
 * tensors; returns the wrapped kernels.
 */
export function eltwiseKernels(dnnl: Dnnl, js: Record<string, Kernel>): Record<string, Kernel> {
  const cache = new Cache<Primitive>();
  const out: Record<string, Kernel> = {};
  const size = (s: readonly number[]) => s.reduce((p, v) => p * v, 1);

  for (const [name, alg] of Object.entries(BINARY)) {
    out[name] = (args) => {
      let { a, b } = args.inputs;
      const plan = allFloat32(a, b) ? broadcastPlan(a.shape, b.shape) : null;
      if (plan === null || size(plan.shape) < NATIVE_ELTWISE_MIN) return js[name](args);
      // oneDNN broadcasts only its second operand: the first must span the output.
      let { sa, sb } = plan;
      const full = (s: number[]) => s.every((v, k) => v !== 0 || plan.d[k] === 1);
      if (!full(sa)) {
        if (!COMMUTATIVE.has(name) || !full(sb)) return js[name](args);
        [a, b, sa, sb] = [b, a, sb, sa];
      }
      const d1 = plan.d.map((v, k) => sb[k] === 0 ? 1 : v);
      const prim = cache.get(
        `${name}|${plan.d}|${d1}`,
        () => binary(dnnl, alg, plan.d, d1),
      );
      const res = alloc(args.backend, size(plan.shape));
      prim.execute([values(args.backend, a), values(args.backend, b), res]);
      return output(args.backend, plan.shape, res);
    };
  }
  for (const [name, spec] of Object.entries(UNARY)) {
    out[name] = (args) => {
      const { x } = args.inputs;
      const n = size(x.shape);
      if (!allFloat32(x) || n < NATIVE_ELTWISE_MIN) return js[name](args);
      const prim = cache.get(`${name}|${n}`, () => eltwise(dnnl, n, spec));
      const res = alloc(args.backend, n);
      prim.execute([values(args.backend, x), res]);
      return output(args.backend, [...x.shape], res);
    };
  }
  Object.assign(out, reluKernels(dnnl, js, NATIVE_ELTWISE_MIN));
  // dy · 2x as (dy · x) · 2: scaling by 2 is exact, so the rounding matches.
  out[SQUARE_GRAD_KERNEL] = (args) => {
    const { dy, x } = args.inputs;
    const n = size(x.shape);
    if (!allFloat32(dy, x) || dy.shape.join() !== x.shape.join() || n < NATIVE_ELTWISE_MIN) {
      return js[SQUARE_GRAD_KERNEL](args);
    }
    const prim = cache.get(
      `sqgrad|${n}`,
      () => binary(dnnl, BINARY.Multiply, [1, 1, n], [1, 1, n], 2),
    );
    const res = alloc(args.backend, n);
    prim.execute([values(args.backend, dy), values(args.backend, x), res]);
    return output(args.backend, [...x.shape], res);
  };
  // Sum and Mean of NHWC over [0, 1, 2] (batch-norm statistics and gradients): oneDNN
  // averages each image (float32, h·w values), JS combines the n averages in float64.
  for (const name of ["Sum", "Mean"] as const) {
    out[name] = (args) => {
      const { x } = args.inputs;
      const attrs = args.attrs as unknown as tf.SumAttrs;
      const axes = x.shape.length === 4 ? tf.util.parseAxisParam(attrs.axis, x.shape) : [];
      const batchStats = axes.length === 3 && [0, 1, 2].every((a) => axes.includes(a));
      if (!allFloat32(x) || !batchStats || size(x.shape) < NATIVE_ELTWISE_MIN) {
        return js[name](args);
      }
      (args.attrs as Record<string, unknown>)[INPUT_SHAPE_ATTR] = x.shape;
      const [n, h, w, c] = x.shape;
      const means = new Float32Array(n * c);
      cache.get(`means|${x.shape}`, () => imageMeans(dnnl, x.shape))
        .execute([values(args.backend, x), means]);
      const scale = name === "Mean" ? 1 / n : h * w;
      const res = alloc(args.backend, c);
      for (let j = 0; j < c; j++) {
        let acc = 0;
        for (let i = j; i < means.length; i += c) acc += means[i];
        res[j] = acc * scale;
      }
      return output(args.backend, attrs.keepDims ? [1, 1, 1, c] : [c], res);
    };
  }
  return out;
}
