/**
 * Batch normalisation of NHWC tensors on oneDNN's batch-normalization
 * primitives (multithreaded, vectorised), with the statistics given as inputs
 * as tfjs's `FusedBatchNorm` has them: the forward kernel, and
 * {@link BATCH_NORM_GRAD_KERNEL}, all five gradients of `FusedBatchNorm` in
 * one pass (used by the native gradient of `FusedBatchNorm`, see `_gradients.ts`).
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { type ArgSpec, Cache, memoryDesc, Primitive, primitiveDesc } from "./_dnnl.ts";
import { type Dnnl, E, SIZE } from "./_ffi.ts";
import { allFloat32, alloc, type KernelArgs, output, values } from "./_kernel_util.ts";
import { jsFusedBatchNorm } from "./_reduce.ts";

/** Name of the native kernel computing the gradients of `FusedBatchNorm`. */
export const BATCH_NORM_GRAD_KERNEL = "SkiplabFusedBatchNormGrad";

// dnnl_use_global_stats | dnnl_use_scale | dnnl_use_shift
const FLAGS = 0x1 | 0x8 | 0x10;
const ARG = { mean: 49, variance: 50, scale: 51, shift: 52, diffScale: 255, diffShift: 256 };

interface Pair {
  fwd: Primitive;
  bwd?: Primitive;
}

const size = (shape: readonly number[]) => shape.reduce((p, v) => p * v, 1);

function build(dnnl: Dnnl, shape: readonly number[], eps: number, grad: boolean): Pair {
  const [n, h, w, c] = shape;
  const data = memoryDesc(dnnl, [n, c, h, w], E.tagNhwc);
  const stat = memoryDesc(dnnl, [c], E.tagA);
  const desc = new Uint8Array(SIZE.bnDesc);
  const prop = grad ? E.forwardTraining : E.forwardInference;
  let status = dnnl.lib.dnnl_batch_normalization_forward_desc_init(desc, prop, data, eps, FLAGS);
  if (status !== 0) {
    throw new Error(`oneDNN batch_normalization_forward_desc_init failed (${status})`);
  }
  const fwdPd = primitiveDesc(dnnl, desc);
  const fwdSpecs: ArgSpec[] = [
    { arg: E.argSrc, md: data },
    { arg: ARG.mean, md: stat },
    { arg: ARG.variance, md: stat },
    { arg: ARG.scale, md: stat },
    { arg: ARG.shift, md: stat },
    { arg: E.argDst, md: data },
  ];
  const fwd = new Primitive(dnnl, fwdPd, fwdSpecs);
  if (!grad) return { fwd };
  const bdesc = new Uint8Array(SIZE.bnDesc);
  status = dnnl.lib.dnnl_batch_normalization_backward_desc_init(
    bdesc,
    E.backward,
    data,
    data,
    eps,
    FLAGS,
  );
  if (status !== 0) {
    throw new Error(`oneDNN batch_normalization_backward_desc_init failed (${status})`);
  }
  const bwd = new Primitive(dnnl, primitiveDesc(dnnl, bdesc, null, fwdPd), [
    { arg: E.argSrc, md: data },
    { arg: ARG.mean, md: stat },
    { arg: ARG.variance, md: stat },
    { arg: E.argDiffDst, md: data },
    { arg: ARG.scale, md: stat },
    // oneDNN 2.x verifies the shift argument of the backward pass too (it does not read it).
    { arg: ARG.shift, md: stat },
    { arg: E.argDiffSrc, md: data },
    { arg: ARG.diffScale, md: stat },
    { arg: ARG.diffShift, md: stat },
  ]);
  return { fwd, bwd };
}

/** True when `FusedBatchNorm` with these inputs runs natively: float32 NHWC, per-channel stats. */
export function nativeBatchNormShape(
  x: tf.TensorInfo,
  ...perChannel: (tf.TensorInfo | undefined)[]
): boolean {
  const c = x.shape[x.shape.length - 1];
  return x.shape.length === 4 && size(x.shape) > 0 && allFloat32(x, ...perChannel) &&
    perChannel.every((t) => t === undefined || (t.shape.length === 1 && t.shape[0] === c));
}

/** Builds the batch-norm kernels bound to one oneDNN instance. */
export function batchNormKernels(
  dnnl: Dnnl,
): Record<string, (args: KernelArgs) => tf.TensorInfo | tf.TensorInfo[]> {
  const cache = new Cache<Pair>();
  const prims = (shape: readonly number[], eps: number, grad: boolean) =>
    cache.get(`${shape},${eps},${grad}`, () => build(dnnl, shape, eps, grad));
  const ones = (c: number) => new Float32Array(c).fill(1);
  const epsOf = (args: KernelArgs) =>
    (args.attrs as unknown as tf.FusedBatchNormAttrs).varianceEpsilon ?? 0.001;

  return {
    FusedBatchNorm(args) {
      const { x, mean, variance, offset, scale } = args.inputs;
      if (!nativeBatchNormShape(x, mean, variance, offset, scale)) {
        return jsFusedBatchNorm(args);
      }
      const c = x.shape[3], b = args.backend;
      const out = alloc(b, size(x.shape));
      prims(x.shape, epsOf(args), false).fwd.execute([
        values(b, x),
        values(b, mean),
        values(b, variance),
        scale ? values(b, scale) : ones(c),
        offset ? values(b, offset) : new Float32Array(c),
        out,
      ]);
      return output(b, [...x.shape], out);
    },
    /** Inputs dy, x, mean, variance, scale?; outputs dx, dmean, dvariance, dscale, doffset. */
    [BATCH_NORM_GRAD_KERNEL](args) {
      const { dy, x, mean, variance, scale } = args.inputs;
      if (!nativeBatchNormShape(x, mean, variance, scale) || dy.shape.join() !== x.shape.join()) {
        throw new TypeError(
          `${BATCH_NORM_GRAD_KERNEL}: needs float32 NHWC 'x' and 'dy' of one shape and ` +
            `per-channel stats, got x [${x.shape}], dy [${dy.shape}], mean [${mean.shape}]`,
        );
      }
      const c = x.shape[3], b = args.backend, eps = epsOf(args);
      const g = scale ? values(b, scale) : ones(c);
      const v = values(b, variance);
      const dx = alloc(b, size(x.shape));
      const dScale = new Float32Array(c), dOffset = new Float32Array(c);
      prims(x.shape, eps, true).bwd!.execute([
        values(b, x),
        values(b, mean),
        v,
        values(b, dy),
        g,
        new Float32Array(c),
        dx,
        dScale,
        dOffset,
      ]);
      // dmean = −γ·r·Σdy and dvar = −½·γ·r³·Σdy(x−μ) = −½·γ·r²·dscale, with r = 1/√(var+ε).
      const dMean = new Float32Array(c), dVar = new Float32Array(c);
      for (let j = 0; j < c; j++) {
        const r = 1 / Math.sqrt(v[j] + eps);
        dMean[j] = -g[j] * r * dOffset[j];
        dVar[j] = -0.5 * g[j] * r * r * dScale[j];
      }
      return [
        output(b, [...x.shape], dx),
        output(b, [c], dMean),
        output(b, [c], dVar),
        output(b, [c], dScale),
        output(b, [c], dOffset),
      ];
    },
  };
}
