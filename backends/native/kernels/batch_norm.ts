/**
 * Batch normalisation of NHWC tensors on oneDNN's batch-normalization
 * primitives (multithreaded, vectorised). With the statistics given as inputs
 * as tfjs's `FusedBatchNorm` has them: the forward kernel, and
 * {@link BATCH_NORM_GRAD_KERNEL}, all five gradients of `FusedBatchNorm` in
 * one pass (used by the native gradient of `FusedBatchNorm`, see `../gradients/overrides.ts`).
 * With the batch's own statistics (skiplab's batch-norm layer in training,
 * `layers/batch_norm.ts`): {@link BATCH_NORM_TRAINING_KERNEL}, statistics and
 * output in one primitive, and its gradient, whose one backward primitive
 * includes the paths through the mean and variance.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { BATCH_NORM_TRAINING_KERNEL, movingAverage } from "../../../core/batch_norm_training.ts";
import { type ArgSpec, Cache, Primitive } from "../onednn/primitives.ts";
import type { Dnnl } from "../onednn/api.ts";
import { allFloat32, alloc, type KernelArgs, output, values } from "./kernel_args.ts";
import { common, type Layout, layoutOf, setLayout, toPlain } from "../memory/layout.ts";

/** Name of the native kernel computing the gradients of `FusedBatchNorm`. */
export const BATCH_NORM_GRAD_KERNEL = "SkiplabFusedBatchNormGrad";
/** Name of the native kernel computing the gradients of {@link BATCH_NORM_TRAINING_KERNEL}. */
export const BATCH_NORM_TRAINING_GRAD_KERNEL = "SkiplabBatchNormTrainingGrad";

export { BATCH_NORM_TRAINING_KERNEL };

interface Pair {
  fwd: Primitive;
  bwd?: Primitive;
}

const size = (shape: readonly number[]) => shape.reduce((p, v) => p * v, 1);

/**
 * oneDNN's `bnorm_jit` (its first choice for blocked layouts) synchronises its
 * threads with spinning barriers: with a core shared, a layer took 30-60x its
 * time. `bnorm_tbb_jit` (its choice for NHWC) needs no barriers.
 */
const barriers = (impl: string) => impl.startsWith("bnorm_jit:");

/**
 * Forward (and with `grad` backward) primitives. Given statistics are inputs
 * of both; own statistics (`own`) are outputs of the forward pass, and the
 * backward pass differentiates through them.
 */
function build(
  dnnl: Dnnl,
  shape: readonly number[],
  eps: number,
  grad: boolean,
  own: boolean,
  layout: Layout | undefined,
): Pair {
  const [n, h, w, c] = shape;
  const E = dnnl.E;
  // dnnl_use_scale | dnnl_use_shift, with dnnl_use_global_stats for given statistics.
  const flags = E.useScale | E.useShift | (own ? 0 : E.useGlobalStats);
  // Blocked activations (see `../memory/layout.ts`) as they are; oneDNN normalises any layout.
  const data = layout?.md ?? dnnl.memoryDesc([n, c, h, w], E.tagNhwc);
  const stat = dnnl.memoryDesc([c], E.tagA);
  const prop = grad || own ? E.forwardTraining : E.forwardInference;
  const fwdPd = dnnl.bnForward(prop, data, eps, flags, { avoid: barriers });
  const fwdSpecs: ArgSpec[] = [
    { arg: E.argSrc, md: data },
    { arg: E.argMean, md: stat },
    { arg: E.argVariance, md: stat },
    { arg: E.argScale, md: stat },
    { arg: E.argShift, md: stat },
    { arg: E.argDst, md: data },
  ];
  const fwd = new Primitive(dnnl, fwdPd, fwdSpecs);
  if (!grad) return { fwd };
  const bwd = new Primitive(
    dnnl,
    dnnl.bnBackward(data, eps, flags, { avoid: barriers, hint: fwdPd }),
    [
      { arg: E.argSrc, md: data },
      { arg: E.argMean, md: stat },
      { arg: E.argVariance, md: stat },
      { arg: E.argDiffDst, md: data },
      { arg: E.argScale, md: stat },
      // oneDNN 2.x verifies the shift argument of the backward pass too (it does not read it);
      // 3.x refuses it.
      { arg: E.argShift, md: stat, skip: dnnl.generation !== 2 },
      { arg: E.argDiffSrc, md: data },
      { arg: E.argDiffScale, md: stat },
      { arg: E.argDiffShift, md: stat },
    ],
  );
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

/**
 * Builds the batch-norm kernels bound to one oneDNN instance; `js` holds the
 * `FusedBatchNorm` for inputs oneDNN does not take (not rank 4).
 */
export function batchNormKernels(
  dnnl: Dnnl,
  js: Record<string, (args: KernelArgs) => tf.TensorInfo>,
): Record<string, (args: KernelArgs) => tf.TensorInfo | tf.TensorInfo[]> {
  const cache = new Cache<Pair>();
  const prims = (
    shape: readonly number[],
    eps: number,
    grad: boolean,
    own = false,
    layout?: Layout,
  ) =>
    cache.get(
      `${shape},${eps},${grad},${own},${layout?.id}`,
      () => build(dnnl, shape, eps, grad, own, layout),
    );
  const ones = (c: number) => new Float32Array(c).fill(1);
  const epsOf = (args: KernelArgs) =>
    (args.attrs as unknown as tf.FusedBatchNormAttrs).varianceEpsilon ?? 0.001;

  return {
    FusedBatchNorm(args) {
      const { x, mean, variance, offset, scale } = args.inputs;
      if (!nativeBatchNormShape(x, mean, variance, offset, scale)) {
        toPlain(args.backend, x);
        return js.FusedBatchNorm(args);
      }
      const c = x.shape[3], b = args.backend, layout = layoutOf(x);
      const out = alloc(b, size(x.shape));
      prims(x.shape, epsOf(args), false, false, layout).fwd.execute([
        values(b, x),
        values(b, mean),
        values(b, variance),
        scale ? values(b, scale) : ones(c),
        offset ? values(b, offset) : new Float32Array(c),
        out,
      ]);
      const y = output(b, [...x.shape], out);
      setLayout(y, layout);
      return y;
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
    /**
     * Inputs x, scale, offset (and movingMean, movingVariance); outputs y, mean,
     * variance (and the moving averages' updates).
     */
    [BATCH_NORM_TRAINING_KERNEL](args) {
      const { x, scale, offset, movingMean, movingVariance } = args.inputs;
      if (!nativeBatchNormShape(x, scale, offset) || !scale || !offset) {
        throw new TypeError(
          `${BATCH_NORM_TRAINING_KERNEL}: needs a float32 NHWC 'x' and per-channel 'scale' and ` +
            `'offset', got x ${x.dtype}[${x.shape}], scale [${scale?.shape}], ` +
            `offset [${offset?.shape}]`,
        );
      }
      const c = x.shape[3], b = args.backend, layout = layoutOf(x);
      const y = alloc(b, size(x.shape)), mean = alloc(b, c), variance = alloc(b, c);
      prims(x.shape, epsOf(args), false, true, layout).fwd.execute([
        values(b, x),
        mean,
        variance,
        values(b, scale),
        values(b, offset),
        y,
      ]);
      const out = output(b, [...x.shape], y);
      setLayout(out, layout);
      const outs = [out, output(b, [c], mean), output(b, [c], variance)];
      if (movingMean === undefined || movingVariance === undefined) return outs;
      const momentum = (args.attrs as { momentum: number }).momentum;
      for (const [moving, batch] of [[movingMean, mean], [movingVariance, variance]] as const) {
        if (!nativeBatchNormShape(x, moving)) {
          throw new TypeError(
            `${BATCH_NORM_TRAINING_KERNEL}: moving statistics must be float32 [${c}], got ` +
              `${moving.dtype}[${moving.shape}]`,
          );
        }
        outs.push(output(b, [c], movingAverage(values(b, moving), batch, momentum, alloc(b, c))));
      }
      return outs;
    },
    /**
     * Inputs dy, x, mean, variance, scale and the gradients dmean, dvariance of
     * the statistics outputs; outputs dx, dscale, doffset.
     */
    [BATCH_NORM_TRAINING_GRAD_KERNEL](args) {
      const { dy, x, mean, variance, scale, dmean, dvariance } = args.inputs;
      if (
        !nativeBatchNormShape(x, mean, variance, scale, dmean, dvariance) ||
        dy.shape.join() !== x.shape.join()
      ) {
        throw new TypeError(
          `${BATCH_NORM_TRAINING_GRAD_KERNEL}: needs float32 NHWC 'x' and 'dy' of one shape ` +
            `and per-channel stats, got x [${x.shape}], dy [${dy.shape}], mean [${mean.shape}]`,
        );
      }
      const c = x.shape[3], b = args.backend, n = size(x.shape) / c;
      const dm = values(b, dmean), dv = values(b, dvariance);
      const extra = dm.some((v) => v !== 0) || dv.some((v) => v !== 0);
      // The statistics' own gradients are added below in NHWC order.
      if (extra) [dy, x].forEach((t) => toPlain(b, t));
      const layout = common(b, dy, x);
      const dx = alloc(b, size(x.shape)), dScale = alloc(b, c), dOffset = alloc(b, c);
      const xv = values(b, x), mv = values(b, mean);
      prims(x.shape, epsOf(args), true, true, layout).bwd!.execute([
        xv,
        mv,
        values(b, variance),
        values(b, dy),
        values(b, scale),
        new Float32Array(c),
        dx,
        dScale,
        dOffset,
      ]);
      // Gradients reaching the statistics themselves (zero in a training step, where they
      // only feed the moving averages): d mean/dx = 1/n, d var/dx = 2(x − μ)/n.
      if (extra) {
        for (let i = 0; i < dx.length; i += c) {
          for (let j = 0; j < c; j++) dx[i + j] += (dm[j] + 2 * dv[j] * (xv[i + j] - mv[j])) / n;
        }
      }
      const dxOut = output(b, [...x.shape], dx);
      setLayout(dxOut, layout);
      return [dxOut, output(b, [c], dScale), output(b, [c], dOffset)];
    },
  };
}
