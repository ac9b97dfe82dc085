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
import {
  BATCH_NORM_RELU_TRAINING_KERNEL,
  BATCH_NORM_TRAINING_KERNEL,
  movingAverage,
} from "../../../core/batch_norm_training.ts";
import { type ArgSpec, Cache, Primitive, queryBytes, queryMdOf } from "../onednn/primitives.ts";
import type { Dnnl } from "../onednn/api.ts";
import { allFloat32, alloc, type KernelArgs, output, values } from "./kernel_args.ts";
import { common, into, type Layout, layoutOf, setLayout, toPlain } from "../memory/layout.ts";

/** Name of the native kernel computing the gradients of `FusedBatchNorm`. */
export const BATCH_NORM_GRAD_KERNEL = "SkiplabFusedBatchNormGrad";
/** Name of the native kernel computing the gradients of {@link BATCH_NORM_TRAINING_KERNEL}. */
export const BATCH_NORM_TRAINING_GRAD_KERNEL = "SkiplabBatchNormTrainingGrad";

export { BATCH_NORM_RELU_TRAINING_KERNEL, BATCH_NORM_TRAINING_KERNEL };

interface Pair {
  fwd: Primitive;
  bwd?: Primitive;
  /** Bytes of the workspace a fused ReLU keeps between the passes (0 without one). */
  workspace: number;
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
 * backward pass differentiates through them. With `relu` (own statistics
 * only), the ReLU after the batch norm runs in it: the forward pass writes a
 * workspace of where it passed, the backward pass reads it.
 */
function build(
  dnnl: Dnnl,
  shape: readonly number[],
  eps: number,
  grad: boolean,
  own: boolean,
  layout: Layout | undefined,
  relu: boolean,
): Pair {
  const [n, h, w, c] = shape;
  const E = dnnl.E;
  // dnnl_use_scale | dnnl_use_shift, with dnnl_use_global_stats for given statistics.
  const flags = E.useScale | E.useShift | (own ? 0 : E.useGlobalStats) |
    (relu ? E.fuseNormRelu : 0);
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
  const workspace = relu ? queryBytes(dnnl, fwdPd, E.queryWorkspaceMd) : 0;
  const wsSpec = workspace > 0
    ? [{ arg: E.argWorkspace, md: queryMdOf(dnnl, fwdPd, E.queryWorkspaceMd) }]
    : [];
  const fwd = new Primitive(dnnl, fwdPd, [...fwdSpecs, ...wsSpec]);
  if (!grad) return { fwd, workspace };
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
      ...wsSpec,
    ],
  );
  return { fwd, bwd, workspace };
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
    relu = false,
  ) =>
    cache.get(
      `${shape},${eps},${grad},${own},${layout?.id},${relu}`,
      () => build(dnnl, shape, eps, grad, own, layout, relu),
    );
  // The layout each fused ReLU's workspace was written for: its gradient runs in the same.
  const maskLayouts = new WeakMap<tf.DataId, Layout | undefined>();
  const ones = (c: number) => new Float32Array(c).fill(1);
  const epsOf = (args: KernelArgs) =>
    (args.attrs as unknown as tf.FusedBatchNormAttrs).varianceEpsilon ?? 0.001;

  /** The training kernels: statistics, output (with `relu`, fused ReLU and its mask), moving averages. */
  function training(args: KernelArgs, relu: boolean): tf.TensorInfo[] {
    const name = relu ? BATCH_NORM_RELU_TRAINING_KERNEL : BATCH_NORM_TRAINING_KERNEL;
    const { x, scale, offset, movingMean, movingVariance } = args.inputs;
    if (!nativeBatchNormShape(x, scale, offset) || !scale || !offset) {
      throw new TypeError(
        `${name}: needs a float32 NHWC 'x' and per-channel 'scale' and 'offset', got ` +
          `x ${x.dtype}[${x.shape}], scale [${scale?.shape}], offset [${offset?.shape}]`,
      );
    }
    const c = x.shape[3], b = args.backend, layout = layoutOf(x), eps = epsOf(args);
    const y = alloc(b, size(x.shape)), mean = alloc(b, c), variance = alloc(b, c);
    const ins = [values(b, x), mean, variance, values(b, scale), values(b, offset), y];
    let mask: Int32Array | undefined;
    if (relu) {
      const fused = prims(x.shape, eps, false, true, layout, true);
      mask = new Int32Array(Math.ceil(fused.workspace / 4));
      fused.fwd.execute([...ins, mask]);
      // Finite statistics and weights make every normalised value finite (an overflow would
      // have made the variance infinite): no NaN for oneDNN's ReLU to turn into 0, as tfjs's
      // keeps it. Otherwise the pass runs again unfused, and the gradient takes tfjs's way.
      const finite = (v: Float32Array) => v.every(Number.isFinite);
      if (fused.workspace === 0 || !ins.slice(1, 5).every(finite)) {
        prims(x.shape, eps, false, true, layout).fwd.execute(ins);
        // As the JS Relu: NaN kept, everything else not above 0 made +0.
        for (let i = 0; i < y.length; i++) if (!(y[i] > 0) && y[i] === y[i]) y[i] = 0;
        mask = new Int32Array(0);
      }
    } else {
      prims(x.shape, eps, false, true, layout).fwd.execute(ins);
    }
    const out = output(b, [...x.shape], y);
    setLayout(out, layout);
    const outs = [out, output(b, [c], mean), output(b, [c], variance)];
    if (mask !== undefined) {
      const info = b.makeTensorInfo([mask.length], "int32", mask);
      // An empty mask names no layout: its gradient is tfjs's ReLU gradient, then the plain one.
      if (mask.length > 0) maskLayouts.set(info.dataId, layout);
      outs.push(info);
    }
    if (movingMean === undefined || movingVariance === undefined) return outs;
    const momentum = (args.attrs as { momentum: number }).momentum;
    for (const [moving, batch] of [[movingMean, mean], [movingVariance, variance]] as const) {
      if (!nativeBatchNormShape(x, moving)) {
        throw new TypeError(
          `${name}: moving statistics must be float32 [${c}], got ${moving.dtype}[${moving.shape}]`,
        );
      }
      outs.push(output(b, [c], movingAverage(values(b, moving), batch, momentum, alloc(b, c))));
    }
    return outs;
  }

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
    [BATCH_NORM_TRAINING_KERNEL]: (args) => training(args, false),
    /**
     * As {@link BATCH_NORM_TRAINING_KERNEL} with the ReLU fused: outputs
     * relu(y), mean, variance, the ReLU's mask (and the moving averages' updates).
     */
    [BATCH_NORM_RELU_TRAINING_KERNEL]: (args) => training(args, true),
    /**
     * Inputs dy, x, mean, variance, scale and the gradients dmean, dvariance of
     * the statistics outputs (and the mask of a fused ReLU); outputs dx, dscale, doffset.
     */
    [BATCH_NORM_TRAINING_GRAD_KERNEL](args) {
      const { dy, x, mean, variance, scale, dmean, dvariance, mask } = args.inputs;
      if (
        !nativeBatchNormShape(x, mean, variance, scale, dmean, dvariance) ||
        dy.shape.join() !== x.shape.join()
      ) {
        throw new TypeError(
          `${BATCH_NORM_TRAINING_GRAD_KERNEL}: needs float32 NHWC 'x' and 'dy' of one shape ` +
            `and per-channel stats, got x [${x.shape}], dy [${dy.shape}], mean [${mean.shape}]`,
        );
      }
      const relu = mask !== undefined;
      if (relu && !maskLayouts.has(mask.dataId)) {
        throw new TypeError(
          `${BATCH_NORM_TRAINING_GRAD_KERNEL}: 'mask' must be the mask output of ` +
            `${BATCH_NORM_RELU_TRAINING_KERNEL} on this backend`,
        );
      }
      const c = x.shape[3], b = args.backend, n = size(x.shape) / c;
      // A fused ReLU's workspace is laid out for the forward pass's layout: dy and x go there.
      const layout = relu ? maskLayouts.get(mask.dataId) : common(b, dy, x);
      if (relu) into(b, layout, dy, x);
      const dx = alloc(b, size(x.shape)), dScale = alloc(b, c), dOffset = alloc(b, c);
      prims(x.shape, epsOf(args), true, true, layout, relu).bwd!.execute([
        values(b, x),
        values(b, mean),
        values(b, variance),
        values(b, dy),
        values(b, scale),
        new Float32Array(c),
        dx,
        dScale,
        dOffset,
        ...(relu ? [values(b, mask)] : []),
      ]);
      const dxOut = output(b, [...x.shape], dx);
      setLayout(dxOut, layout);
      // Gradients reaching the statistics themselves (zero in a training step, where they
      // only feed the moving averages): d mean/dx = 1/n, d var/dx = 2(x − μ)/n, added in NHWC.
      const dm = values(b, dmean), dv = values(b, dvariance);
      if (dm.some((v) => v !== 0) || dv.some((v) => v !== 0)) {
        [dxOut, x].forEach((t) => toPlain(b, t));
        const d = values(b, dxOut), xv = values(b, x), mv = values(b, mean);
        for (let i = 0; i < d.length; i += c) {
          for (let j = 0; j < c; j++) d[i + j] += (dm[j] + 2 * dv[j] * (xv[i + j] - mv[j])) / n;
        }
      }
      return [dxOut, output(b, [c], dScale), output(b, [c], dOffset)];
    },
  };
}
