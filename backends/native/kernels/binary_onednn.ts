/**
 * Large binary elementwise ops on oneDNN's binary primitive (vectorised, on
 * all cores): Add, Sub, Multiply, RealDiv (same shape, or the second operand
 * broadcast) and Square's gradient. Small tensors, other patterns and other
 * dtypes keep the single-threaded JS kernels of `binary_js.ts` and
 * `../gradients/relu_square_js.ts`, which cost less than a primitive call
 * there (`../kernels.ts` sets the size). Results are the correctly rounded
 * float32 values the JS kernels give.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { Cache, memoryDesc, Primitive, primitiveDesc } from "../onednn/v2/primitives.ts";
import { type Dnnl, E, SIZE } from "../onednn/v2/ffi.ts";
import { broadcastPlan } from "./binary_js.ts";
import { pointerAt } from "../../../core/libc.ts";
import { SQUARE_GRAD_KERNEL } from "../gradients/relu_square_js.ts";
import { allFloat32, alloc, type KernelArgs, output, values } from "./kernel_args.ts";

type Kernel = (args: KernelArgs) => tf.TensorInfo;

const BINARY: Record<string, number> = {
  Add: 0x1fff0,
  Multiply: 0x1fff1,
  RealDiv: 0x1fff4,
  Sub: 0x1fff5,
};
const COMMUTATIVE = new Set(["Add", "Multiply"]);
const TAG_ABC = 4;

function postOpScale(dnnl: Dnnl, alpha: number): Deno.PointerValue {
  const cell = new BigUint64Array(1);
  dnnl.lib.dnnl_post_ops_create(cell);
  const ops = pointerAt(cell[0]);
  dnnl.lib.dnnl_post_ops_append_eltwise(ops, 1, 127, alpha, 0);
  dnnl.lib.dnnl_primitive_attr_create(cell);
  const attr = pointerAt(cell[0]);
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

/**
 * The oneDNN binary kernels for outputs of at least `min` elements; `js` holds
 * the JS kernels of the same names for the rest.
 */
export function binaryOnednnKernels(
  dnnl: Dnnl,
  js: Record<string, Kernel>,
  min: number,
): Record<string, Kernel> {
  const cache = new Cache<Primitive>();
  const out: Record<string, Kernel> = {};
  const size = (s: readonly number[]) => s.reduce((p, v) => p * v, 1);

  for (const [name, alg] of Object.entries(BINARY)) {
    out[name] = (args) => {
      let { a, b } = args.inputs;
      const plan = allFloat32(a, b) ? broadcastPlan(a.shape, b.shape) : null;
      if (plan === null || size(plan.shape) < min) return js[name](args);
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
  // dy · 2x as (dy · x) · 2: scaling by 2 is exact, so the rounding matches.
  out[SQUARE_GRAD_KERNEL] = (args) => {
    const { dy, x } = args.inputs;
    const n = size(x.shape);
    if (!allFloat32(dy, x) || dy.shape.join() !== x.shape.join() || n < min) {
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
  return out;
}
