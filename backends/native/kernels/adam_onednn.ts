/**
 * The fused Adam step on oneDNN for large variables (vectorised, on all
 * cores): four binary primitives with post-ops instead of the one-threaded JS
 * loop of `adam_js.ts`, which keeps the small variables (a primitive call costs
 * more than the loop there; `../kernels.ts` sets the size). 2–4× faster than the loop on a 2.4M-element
 * filter here; more passes over memory, but each runs at memory speed.
 *
 * - `m' = β1·m + (1−β1)·g`: binary add with per-operand scales;
 * - `v' = β2·((1−β2)/β2·g·g + v)`: binary mul, then add and scale post-ops;
 * - `d = √(v' + 0) + ε`: binary add of a zero scalar with eltwise post-ops
 *   (oneDNN 2.6 runs an eltwise primitive with post-ops as reference code);
 * - `w' = (1−decay)·(m'/d · s + w)`, `s = −stepSize/(1−decay)` read at run
 *   time from a one-element tensor, so a new step size needs no new primitive.
 *
 * Intermediates are float32, as in the composed tfjs ops (the JS loop keeps
 * float64 ones): results agree with both within a float32 ulp or two, and
 * where `g²` overflows float32 this path, like the composed ops, gives an
 * infinite `v'` and so no step.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { FUSED_ADAM_KERNEL, type FusedAdamAttrs } from "../../../core/fused_adam.ts";
import { Cache, Primitive } from "../onednn/primitives.ts";
import type { Attr, Dnnl, Md, PostOp } from "../onednn/api.ts";
import { alloc, type CpuLike, type KernelArgs } from "./kernel_args.ts";
import { adamCall } from "./adam_js.ts";

const ARG_SRC_0 = 1, ARG_SRC_1 = 2;

interface Steps {
  m: Primitive;
  v: Primitive;
  d: Primitive;
  w: Primitive;
}

function build(dnnl: Dnnl, n: number, a: FusedAdamAttrs): Steps {
  const E = dnnl.E;
  const { binaryAdd: ADD, binaryMul: MUL, binaryDiv: DIV } = E;
  const { eltwiseSqrt: SQRT, eltwiseLinear: LINEAR } = E;
  /** DNNL_ARG_ATTR_MULTIPLE_POST_OP(i) | DNNL_ARG_SRC_1: the operand of binary post-op `i`. */
  const postOpArg = (i: number) => (E.postOpArgBase * (i + 1)) | ARG_SRC_1;
  const md = dnnl.memoryDesc([n], E.tagA), one = dnnl.memoryDesc([1], E.tagA);
  const attr = (ops: readonly PostOp[], scales: readonly [number, number][] = []) =>
    dnnl.attr(ops, scales);
  const binary = (alg: number, src1: Md, at: Attr, extra: Md[]) =>
    new Primitive(dnnl, dnnl.binary(alg, md, src1, md, { attr: at }), [
      { arg: ARG_SRC_0, md },
      { arg: ARG_SRC_1, md: src1 },
      ...extra.map((m, i) => ({ arg: postOpArg(i), md: m })),
      { arg: E.argDst, md },
    ], at.constants);
  const f = Math.fround;
  const b1 = f(a.beta1), b2 = f(a.beta2), c1 = f(1 - a.beta1), c2 = f(1 - a.beta2);
  const keep = f(1 - a.decay);
  return {
    m: binary(ADD, md, attr([], [[ARG_SRC_0, b1], [ARG_SRC_1, c1]]), []),
    v: binary(
      MUL,
      md,
      attr([{ binary: ADD, md }, { eltwise: LINEAR, alpha: b2 }], [[ARG_SRC_0, c2 / b2]]),
      [md],
    ),
    d: binary(
      ADD,
      one,
      attr([{ eltwise: SQRT, alpha: 0 }, { eltwise: LINEAR, alpha: 1, beta: f(a.epsilon) }]),
      [],
    ),
    w: binary(
      DIV,
      md,
      attr([
        { binary: MUL, md: one },
        { binary: ADD, md },
        ...(a.decay === 0 ? [] : [{ eltwise: LINEAR, alpha: keep }]),
      ]),
      [one, md],
    ),
  };
}

/** Runs Adam steps of float32 arrays on oneDNN, for one opened library. */
export class OneDnnAdam {
  readonly #dnnl: Dnnl;
  readonly #cache = new Cache<Steps>();
  // Kept for the backend's life (never returned to the pool): scalars and the denominator.
  #scalars?: Float32Array;
  #denominator: Float32Array = new Float32Array(0);

  constructor(dnnl: Dnnl) {
    this.#dnnl = dnnl;
  }

  /** Writes one Adam step of `w`, `m`, `v` with gradient `g` to the `out*` arrays. */
  step(
    backend: CpuLike,
    [w, m, v, g]: readonly Float32Array[],
    [outW, outM, outV]: readonly Float32Array[],
    a: FusedAdamAttrs,
  ): void {
    const n = w.length;
    const key = `${n}|${a.beta1}|${a.beta2}|${a.epsilon}|${a.decay}`;
    const steps = this.#cache.get(key, () => build(this.#dnnl, n, a));
    const scalars = this.#scalars ??= alloc(backend, 2);
    if (this.#denominator.length < n) this.#denominator = alloc(backend, n);
    const d = this.#denominator.subarray(0, n);
    scalars[0] = 0;
    scalars[1] = -a.stepSize / (1 - a.decay);
    const zero = scalars.subarray(0, 1), s = scalars.subarray(1, 2);
    steps.m.execute([m, g, outM]);
    steps.v.execute([g, g, v, outV]);
    steps.d.execute([outV, zero, d]);
    steps.w.execute([outM, d, s, w, outW]);
  }
}

/**
 * The fused Adam kernel on oneDNN for variables of at least `min` elements
 * (and a decay below 1, which the last step divides by); `js` holds the JS
 * kernel for the rest.
 */
export function adamOnednnKernels(
  dnnl: Dnnl,
  js: Record<string, (args: KernelArgs) => tf.TensorInfo[]>,
  min: number,
): Record<string, (args: KernelArgs) => tf.TensorInfo[]> {
  const native = new OneDnnAdam(dnnl);
  return {
    [FUSED_ADAM_KERNEL](args) {
      const n = args.inputs.variable.shape.reduce((p, d) => p * d, 1);
      const decay = (args.attrs as unknown as FusedAdamAttrs).decay;
      if (n < min || !(decay < 1)) return js[FUSED_ADAM_KERNEL](args);
      const { ins, outs, attrs, finish } = adamCall(args);
      native.step(args.backend, ins, outs, attrs);
      return finish();
    },
  };
}
