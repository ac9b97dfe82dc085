/**
 * The oneDNN convolution primitives behind `conv2d.ts`: descriptors for tfjs's
 * convolution geometry, in tfjs's layouts (NHWC data, HWIO filters) or left
 * for oneDNN to choose (reordered in and out by {@link Layered}).
 *
 * In bf16 ({@link Free.bf16}) the convolution reads bf16 activations, filters
 * and output gradients and writes fp32: the tensors stay fp32 (master weights,
 * optimiser and loss in fp32), and the reorders that {@link Layered} runs into
 * the chosen layouts also convert to bf16, so no extra pass is spent on it.
 * Where oneDNN has no bf16 convolution (CPUs without AVX512-BF16 or AMX),
 * building one throws an error that says so.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import {
  type ArgSpec,
  Layered,
  type LayeredArg,
  queryMdOf,
  type Runner,
} from "../onednn/primitives.ts";
import { channelBlock, ownWinogradFits, WinogradConv } from "./winograd.ts";
import type { Dnnl, Geometry2d, Pd, PdOptions, PostOp } from "../onednn/api.ts";
import { isaName } from "../memory/precision.ts";
import { nhwc, plainAlias } from "../memory/layout.ts";

/**
 * Which primitive: forward with optional bias and ReLU, forward with a bias,
 * the destination's previous values added (a residual, a sum post-op) and a
 * ReLU, or one of the two backward passes.
 */
export type Kind =
  | "fwd"
  | "fwdBias"
  | "fwdBiasRelu"
  | "fwdRelu"
  | "fwdBiasSumRelu"
  | "bwdData"
  | "bwdWeights";

function geometry(info: tf.backend_util.Conv2DInfo) {
  const p = info.padInfo;
  return {
    src: [info.batchSize, info.inChannels, info.inHeight, info.inWidth],
    wei: [info.outChannels, info.inChannels, info.filterHeight, info.filterWidth],
    dst: [info.batchSize, info.outChannels, info.outHeight, info.outWidth],
    geo: {
      strides: [info.strideHeight, info.strideWidth],
      dilates: [info.dilationHeight - 1, info.dilationWidth - 1],
      padL: [p.top, p.left],
      padR: [p.bottom, p.right],
    } as Geometry2d,
  };
}

/** Which convolution tensors oneDNN may lay out as it likes (reordered in and out). */
export interface Free {
  data: boolean;
  weights: boolean;
  /** Read activations, filters and output gradients in bf16 (results stay fp32). */
  bf16?: boolean;
  /**
   * Run the forward and backward-data passes of the 3x3 stride-1 convolutions that
   * {@link winogradFits} as Winograd convolutions: oneDNN's where it has one (2.x on
   * AVX-512: `jit_wino_4x3`), else skiplab's own (`winograd.ts`) where that fits, else
   * direct ones; `"skiplab"` takes skiplab's even where oneDNN has one. fp32 only.
   */
  winograd?: boolean | "skiplab";
}

/**
 * Whether a convolution gains from oneDNN's Winograd F(4x4, 3x3): 3x3, stride 1,
 * no dilation, 32 channels or more each side. Measured on 2 vCPUs of an AMD EPYC
 * Zen 5 (oneDNN 2.6, GFLOP/s counted as direct convolution): forward and backward
 * data 1.5-2.6x the direct rate from 32 channels up, 0.5-0.7x at 16. Its backward
 * weights pass is left direct: 1.0-1.15x where it ran, and it crashed oneDNN 2.6 on
 * a 128-channel 16x16 layer at batch 64.
 */
export function winogradFits(info: tf.backend_util.Conv2DInfo): boolean {
  return info.filterHeight === 3 && info.filterWidth === 3 && info.strideHeight === 1 &&
    info.strideWidth === 1 && info.dilationHeight === 1 && info.dilationWidth === 1 &&
    info.inChannels >= 32 && info.outChannels >= 32;
}

/**
 * `free` with the activations kept NHWC where oneDNN's own choice for them,
 * left free, holds NHWC's bytes anyway (the channel-blocked layout whose block
 * is all the channels: 16 of them on AVX-512, see `plainAlias`). Told NHWC,
 * oneDNN 2.6 runs another kernel on the same bytes (brgconv, not the blocked
 * JIT one), measured on 2 vCPUs of an AMD EPYC Zen 4 (batch 128, 32x32, 16 to
 * 16 channels, 3x3): forward 2.7-3.0 against 3.4-3.9 ms, filter gradient 2.6
 * against 3.1, input gradient the same. Only where both sides qualify: with one
 * side NHWC and the other blocked oneDNN falls back to its reference kernel;
 * the 16-channel side of such a convolution is passed as it is (`alias`).
 * The first convolution (RGB in, 16 channels out) qualifies too; its input
 * is NHWC already.
 */
function nhwcWhereSame(dnnl: Dnnl, info: tf.backend_util.Conv2DInfo, free: Free): Free {
  if (!free.data || free.bf16 || info.inChannels > 16 || info.outChannels > 16) return free;
  const pd = forwardPd(dnnl, info, free, false, {});
  try {
    const same = (query: number, shape: readonly number[]) => {
      const md = queryMdOf(dnnl, pd, query), alias = plainAlias(dnnl, shape);
      return dnnl.mdEqual(md, nhwc(dnnl, shape)) ||
        (alias !== undefined && dnnl.mdEqual(md, alias));
    };
    // An input of fewer channels than any block (the RGB images) arrives NHWC: oneDNN's
    // choice for it (NCHW) would cost a reorder every pass.
    const input = info.inChannels < 4 || same(dnnl.E.querySrcMd, info.inShape);
    return input && same(dnnl.E.queryDstMd, info.outShape) ? { ...free, data: false } : free;
  } finally {
    dnnl.destroyPd(pd);
  }
}

/** Whether oneDNN has a Winograd convolution for `info`'s forward pass here (2.x on AVX-512). */
function oneDnnHasWinograd(dnnl: Dnnl, info: tf.backend_util.Conv2DInfo): boolean {
  try {
    const free = { data: true, weights: true };
    dnnl.destroyPd(forwardPd(dnnl, info, free, false, { algorithm: dnnl.E.convWinograd }));
    return true;
  } catch {
    return false;
  }
}

/**
 * `free` in fp32 where it asks for bf16 but the pass has an fp32 Winograd
 * convolution here (the forward and input-gradient passes {@link winogradFits};
 * oneDNN 2.x on AVX-512): oneDNN has no bf16 Winograd, and the fp32 one keeps
 * pace with bf16's direct convolution while it converts nothing to bf16 (and
 * rounds less). Measured on 2 vCPUs of an AMD EPYC Zen 4 (oneDNN 2.6, GFLOP/s
 * counted as direct, each convolution alone, without bf16's conversions): 8x8
 * outputs 557-610 against bf16's 489-513, 16x16 and 32x32 446-545 against
 * 425-504, 4x4 505-525 against 642-670. Whole models in bf16, alternating:
 * resnet18 trained at 90-91 images/s against 78-86 with every pass in bf16,
 * resnet20 (batch 128) at 770-804 against 678-703.
 */
function winogradOverBf16(
  dnnl: Dnnl,
  info: tf.backend_util.Conv2DInfo,
  kind: Kind,
  free: Free,
): Free {
  if (!free.bf16 || free.winograd !== true || kind === "bwdWeights" || !winogradFits(info)) {
    return free;
  }
  // No Winograd here: oneDNN 3.x, or a CPU without AVX-512.
  return oneDnnHasWinograd(dnnl, info) ? { ...free, bf16: false } : free;
}

function mds(dnnl: Dnnl, info: tf.backend_util.Conv2DInfo, free: Free) {
  const g = geometry(info);
  const E = dnnl.E;
  const memoryDesc = (shape: number[], tag: number, dt?: number) => dnnl.memoryDesc(shape, tag, dt);
  const plain = {
    src: memoryDesc(g.src, E.tagNhwc),
    wei: memoryDesc(g.wei, E.tagHwio),
    dst: memoryDesc(g.dst, E.tagNhwc),
  };
  // bf16 operands are always left free: the reorder into them is the conversion.
  const low = free.bf16 ? E.bf16 : E.f32;
  const any = (shape: number[], dt: number) => memoryDesc(shape, E.tagAny, dt);
  const op = {
    src: free.data ? any(g.src, E.f32) : plain.src,
    wei: free.weights ? any(g.wei, E.f32) : plain.wei,
    dst: free.data ? any(g.dst, E.f32) : plain.dst,
    lowSrc: free.data || free.bf16 ? any(g.src, low) : plain.src,
    lowWei: free.weights || free.bf16 ? any(g.wei, low) : plain.wei,
    lowDst: free.data || free.bf16 ? any(g.dst, low) : plain.dst,
  };
  return { g, plain, op };
}

function forwardPd(
  dnnl: Dnnl,
  info: tf.backend_util.Conv2DInfo,
  free: Free,
  bias: boolean,
  o: PdOptions,
): Pd {
  const { g, op } = mds(dnnl, info, free);
  const biasMd = bias ? dnnl.memoryDesc([info.outChannels], dnnl.E.tagA) : null;
  return dnnl.convForward(dnnl.E.forwardTraining, op.lowSrc, op.lowWei, biasMd, op.dst, g.geo, o);
}

/** A convolution's primitive descriptor and its arguments, in the order the kernels pass them. */
export interface Described {
  readonly pd: Pd;
  readonly args: readonly LayeredArg[];
  /**
   * Where skiplab's own Winograd convolution runs the pass: it, made over the
   * arguments in the layouts chosen for them (`pd` is then a direct
   * convolution's, which only chose the activations' layouts).
   */
  readonly main?: (specs: readonly ArgSpec[]) => Runner;
}

/** The primitive of `kind` for `info`. */
export function build(
  dnnl: Dnnl,
  info: tf.backend_util.Conv2DInfo,
  kind: Kind,
  free: Free,
): Layered {
  const d = describe(dnnl, info, kind, free);
  return new Layered(dnnl, d.pd, d.args, d.main);
}

/**
 * The primitive descriptor {@link build} runs, with its arguments: also what
 * `../peak.ts` times, without the reorders around it.
 */
export function describe(
  dnnl: Dnnl,
  info: tf.backend_util.Conv2DInfo,
  kind: Kind,
  given: Free,
): Described {
  const free = nhwcWhereSame(dnnl, info, winogradOverBf16(dnnl, info, kind, given));
  const { g, plain, op } = mds(dnnl, info, free);
  // Activations of 4, 8 or 16 channels in the blocked layout of that block are NHWC's bytes.
  const alias = { src: plainAlias(dnnl, info.inShape), dst: plainAlias(dnnl, info.outShape) };
  const lowQ = free.data || Boolean(free.bf16), lowW = free.weights || Boolean(free.bf16);
  const q = (on: boolean, query: number) => on ? query : undefined;
  const E = dnnl.E;
  /** An activation argument on the input's (`src`) or the output's (`dst`) side. */
  const activation = (
    arg: number,
    side: "src" | "dst",
    query: number | undefined,
    more: Partial<LayeredArg> = {},
  ): LayeredArg => ({
    arg,
    plain: plain[side],
    alias: alias[side],
    query,
    transient: free.data,
    ...more,
  });
  const guard = (make: () => Pd) => free.bf16 ? bf16Guard(dnnl, kind, make) : make();
  // Winograd where it fits: oneDNN's where this oneDNN has it (2.x on AVX-512), else skiplab's
  // own (`winograd.ts`) where that fits, else direct.
  const fits = Boolean(free.winograd) && !free.bf16 && winogradFits(info);
  // oneDNN's backward-weights Winograd is left alone (see `winogradFits`).
  const wino = fits && kind !== "bwdWeights";
  let oneDnnWinograd = false;
  const algorithm = (make: (algorithm: number) => Pd) => {
    if (wino && free.winograd !== "skiplab") {
      try {
        const pd = make(E.convWinograd);
        oneDnnWinograd = true;
        return pd;
      } catch {
        // No Winograd implementation for this shape here.
      }
    }
    return make(E.convDirect);
  };
  /**
   * skiplab's Winograd convolution for the pass of `pd` (a direct one, asked only for its
   * activations' layouts), where it fits and reads them; else undefined.
   */
  const own = (pd: Pd, input: LayeredArg, output: LayeredArg) => {
    if (!fits || oneDnnWinograd || !ownWinogradFits(info)) return undefined;
    if (kind === "bwdWeights" && free.winograd !== "skiplab" && oneDnnHasWinograd(dnnl, info)) {
      return undefined;
    }
    const chosen = (a: LayeredArg) =>
      a.query === undefined ? a.plain : queryMdOf(dnnl, pd, a.query);
    const [inShape, outShape] = kind === "bwdData"
      ? [info.outShape, info.inShape]
      : [info.inShape, info.outShape];
    // (The filter gradient's `output` is the output gradient it reads.)
    if (
      channelBlock(dnnl, chosen(input), inShape) === undefined ||
      channelBlock(dnnl, chosen(output), outShape) === undefined
    ) {
      return undefined;
    }
    return (specs: readonly ArgSpec[]) => new WinogradConv(dnnl, info, kind, specs);
  };
  // skiplab's Winograd convolution (`own`) reads the filter as it is (HWIO).
  const weights = (query: number | undefined, own: boolean): LayeredArg => ({
    arg: E.argWeights,
    plain: plain.wei,
    query: own ? undefined : query,
  });
  if (kind === "bwdData" || kind === "bwdWeights") {
    const pd = algorithm((a) => {
      const hint = guard(() => forwardPd(dnnl, info, free, false, { algorithm: a }));
      return guard(() =>
        kind === "bwdData"
          ? dnnl.convBackwardData(op.src, op.lowWei, op.lowDst, g.geo, { hint, algorithm: a })
          : dnnl.convBackwardWeights(op.lowSrc, op.wei, op.lowDst, g.geo, { hint })
      );
    });
    if (kind === "bwdData") {
      const dy = activation(E.argDiffDst, "dst", q(lowQ, E.queryDiffDstMd));
      const dx = activation(E.argDiffSrc, "src", q(free.data, E.queryDiffSrcMd), { output: true });
      const main = own(pd, dy, dx);
      return { pd, args: [dy, weights(q(lowW, E.queryWeightsMd), main !== undefined), dx], main };
    }
    const x = activation(E.argSrc, "src", q(lowQ, E.querySrcMd));
    const dy = activation(E.argDiffDst, "dst", q(lowQ, E.queryDiffDstMd));
    const main = own(pd, x, dy);
    const dw: LayeredArg = {
      arg: E.argDiffWeights,
      plain: plain.wei,
      // skiplab's Winograd convolution writes the filter gradient as it is (HWIO).
      query: main === undefined ? q(free.weights, E.queryDiffWeightsMd) : undefined,
      output: true,
    };
    return { pd, args: [x, dy, dw], main };
  }
  const sum = kind === "fwdBiasSumRelu";
  const bias = kind === "fwdBias" || kind === "fwdBiasRelu" || sum;
  const relu = kind === "fwdRelu" || kind === "fwdBiasRelu" || sum;
  // The residual is added before the ReLU.
  const postOps: PostOp[] = [
    ...(sum ? [{ sum: 1 }] : []),
    ...(relu ? [{ eltwise: E.eltwiseRelu, alpha: 0 }] : []),
  ];
  const attr = postOps.length > 0 ? dnnl.attr(postOps) : undefined;
  const pd = algorithm((a) =>
    guard(() => forwardPd(dnnl, info, free, bias, { attr, algorithm: a }))
  );
  const src = activation(E.argSrc, "src", q(lowQ, E.querySrcMd));
  // The sum reads the destination as the caller filled it (see `Layered`'s `accumulate`).
  const dst = activation(E.argDst, "dst", q(free.data, E.queryDstMd), {
    output: true,
    accumulate: sum,
  });
  const main = own(pd, src, dst);
  const args: LayeredArg[] = [src, weights(q(lowW, E.queryWeightsMd), main !== undefined)];
  if (bias) args.push({ arg: E.argBias, plain: dnnl.memoryDesc([info.outChannels], E.tagA) });
  args.push(dst);
  return { pd, args, main };
}

/**
 * A bf16 convolution's primitive descriptor, or an error saying that oneDNN
 * has none on this CPU (it needs AVX512-BF16 or AMX; `resolvePrecision`
 * refuses bf16 there before a run starts, so this is the kernels' own guard).
 */
function bf16Guard(dnnl: Dnnl, kind: Kind, make: () => Pd): Pd {
  try {
    return make();
  } catch (e) {
    throw new Error(
      `oneDNN ${dnnl.version} has no bf16 convolution (${kind}) on this CPU ` +
        `(instruction set ${isaName(dnnl.isa(), dnnl.generation)}): bf16 needs ` +
        `AMX-BF16 or AVX512-BF16; compute in fp32 (precision 'fp32' or 'auto') ` +
        `[${(e as Error).message}]`,
    );
  }
}

/** Cache key of a primitive. */
export function keyOf(info: tf.backend_util.Conv2DInfo, kind: Kind): string {
  const p = info.padInfo;
  return [
    kind,
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.filterHeight,
    info.filterWidth,
    info.outChannels,
    info.strideHeight,
    info.strideWidth,
    info.dilationHeight,
    info.dilationWidth,
    p.top,
    p.bottom,
    p.left,
    p.right,
  ].join(",");
}
