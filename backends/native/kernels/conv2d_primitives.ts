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
  dims,
  Layered,
  type LayeredArg,
  memoryDesc,
  primitiveDesc,
  reluAttr,
} from "../onednn/v2/primitives.ts";
import { type Dnnl, E, SIZE } from "../onednn/v2/ffi.ts";
import { isaName } from "../memory/precision.ts";

/** Which primitive: forward with optional bias and ReLU, or one of the two backward passes. */
export type Kind = "fwd" | "fwdBias" | "fwdBiasRelu" | "fwdRelu" | "bwdData" | "bwdWeights";

function geometry(info: tf.backend_util.Conv2DInfo) {
  const p = info.padInfo;
  return {
    src: [info.batchSize, info.inChannels, info.inHeight, info.inWidth],
    wei: [info.outChannels, info.inChannels, info.filterHeight, info.filterWidth],
    dst: [info.batchSize, info.outChannels, info.outHeight, info.outWidth],
    strides: dims([info.strideHeight, info.strideWidth]),
    dilates: dims([info.dilationHeight - 1, info.dilationWidth - 1]),
    padL: dims([p.top, p.left]),
    padR: dims([p.bottom, p.right]),
  };
}

/** Which convolution tensors oneDNN may lay out as it likes (reordered in and out). */
export interface Free {
  data: boolean;
  weights: boolean;
  /** Read activations, filters and output gradients in bf16 (results stay fp32). */
  bf16?: boolean;
}

function mds(dnnl: Dnnl, info: tf.backend_util.Conv2DInfo, free: Free) {
  const g = geometry(info);
  const plain = {
    src: memoryDesc(dnnl, g.src, E.tagNhwc),
    wei: memoryDesc(dnnl, g.wei, E.tagHwio),
    dst: memoryDesc(dnnl, g.dst, E.tagNhwc),
  };
  // bf16 operands are always left free: the reorder into them is the conversion.
  const low = free.bf16 ? E.bf16 : E.f32;
  const any = (shape: number[], dt: number) => memoryDesc(dnnl, shape, E.tagAny, dt);
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

function forwardDesc(
  dnnl: Dnnl,
  info: tf.backend_util.Conv2DInfo,
  free: Free,
  bias: boolean,
): Uint8Array {
  const { g, op } = mds(dnnl, info, free);
  const desc = new Uint8Array(SIZE.convDesc);
  const biasMd = memoryDesc(dnnl, [info.outChannels], E.tagA);
  const status = dnnl.lib.dnnl_dilated_convolution_forward_desc_init(
    desc,
    E.forwardTraining,
    E.convDirect,
    op.lowSrc,
    op.lowWei,
    bias ? biasMd : null,
    op.dst,
    g.strides,
    g.dilates,
    g.padL,
    g.padR,
  );
  if (status !== 0) throw new Error(`oneDNN convolution_forward_desc_init failed (${status})`);
  return desc;
}

/** The primitive of `kind` for `info`. */
export function build(
  dnnl: Dnnl,
  info: tf.backend_util.Conv2DInfo,
  kind: Kind,
  free: Free,
): Layered {
  const { g, plain, op } = mds(dnnl, info, free);
  const lowQ = free.data || Boolean(free.bf16), lowW = free.weights || Boolean(free.bf16);
  const q = (on: boolean, query: number) => on ? query : undefined;
  const t = free.data;
  const pdOf = (desc: Uint8Array, attr: Deno.PointerValue, hint: Deno.PointerValue) =>
    free.bf16
      ? bf16PrimitiveDesc(dnnl, desc, attr, hint, kind)
      : primitiveDesc(dnnl, desc, attr, hint);
  if (kind === "bwdData" || kind === "bwdWeights") {
    const hint = pdOf(forwardDesc(dnnl, info, free, false), null, null);
    const desc = new Uint8Array(SIZE.convDesc);
    const status = kind === "bwdData"
      ? dnnl.lib.dnnl_dilated_convolution_backward_data_desc_init(
        desc,
        E.convDirect,
        op.src,
        op.lowWei,
        op.lowDst,
        g.strides,
        g.dilates,
        g.padL,
        g.padR,
      )
      : dnnl.lib.dnnl_dilated_convolution_backward_weights_desc_init(
        desc,
        E.convDirect,
        op.lowSrc,
        op.wei,
        null,
        op.lowDst,
        g.strides,
        g.dilates,
        g.padL,
        g.padR,
      );
    if (status !== 0) throw new Error(`oneDNN convolution ${kind} desc_init failed (${status})`);
    const pd = pdOf(desc, null, hint);
    return kind === "bwdData"
      ? new Layered(dnnl, pd, [
        {
          arg: E.argDiffDst,
          plain: plain.dst,
          query: q(lowQ, E.queryDiffDstMd),
          transient: t,
        },
        { arg: E.argWeights, plain: plain.wei, query: q(lowW, E.queryWeightsMd) },
        {
          arg: E.argDiffSrc,
          plain: plain.src,
          query: q(free.data, E.queryDiffSrcMd),
          output: true,
          transient: t,
        },
      ])
      : new Layered(dnnl, pd, [
        { arg: E.argSrc, plain: plain.src, query: q(lowQ, E.querySrcMd), transient: t },
        {
          arg: E.argDiffDst,
          plain: plain.dst,
          query: q(lowQ, E.queryDiffDstMd),
          transient: t,
        },
        {
          arg: E.argDiffWeights,
          plain: plain.wei,
          query: q(free.weights, E.queryDiffWeightsMd),
          output: true,
        },
      ]);
  }
  const bias = kind === "fwdBias" || kind === "fwdBiasRelu";
  const relu = kind === "fwdRelu" || kind === "fwdBiasRelu";
  const desc = forwardDesc(dnnl, info, free, bias);
  const pd = pdOf(desc, relu ? reluAttr(dnnl) : null, null);
  const args: LayeredArg[] = [
    { arg: E.argSrc, plain: plain.src, query: q(lowQ, E.querySrcMd), transient: t },
    { arg: E.argWeights, plain: plain.wei, query: q(lowW, E.queryWeightsMd) },
  ];
  if (bias) args.push({ arg: E.argBias, plain: memoryDesc(dnnl, [info.outChannels], E.tagA) });
  args.push({
    arg: E.argDst,
    plain: plain.dst,
    query: q(free.data, E.queryDstMd),
    output: true,
    transient: t,
  });
  return new Layered(dnnl, pd, args);
}

/**
 * A bf16 convolution's primitive descriptor, or an error saying that oneDNN
 * has none on this CPU (it needs AVX512-BF16 or AMX; `resolvePrecision`
 * refuses bf16 there before a run starts, so this is the kernels' own guard).
 */
function bf16PrimitiveDesc(
  dnnl: Dnnl,
  desc: Uint8Array,
  attr: Deno.PointerValue,
  hint: Deno.PointerValue,
  kind: Kind,
): Deno.PointerValue {
  try {
    return primitiveDesc(dnnl, desc, attr, hint);
  } catch (e) {
    throw new Error(
      `oneDNN ${dnnl.version} has no bf16 convolution (${kind}) on this CPU ` +
        `(instruction set ${isaName(dnnl.lib.dnnl_get_effective_cpu_isa())}): bf16 needs ` +
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
