/**
 * The oneDNN convolution primitives behind `_conv.ts`: descriptors for tfjs's
 * convolution geometry, in tfjs's layouts (NHWC data, HWIO filters) or left
 * for oneDNN to choose (reordered in and out by {@link Layered}).
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { dims, Layered, type LayeredArg, memoryDesc, primitiveDesc, reluAttr } from "./_dnnl.ts";
import { type Dnnl, E, SIZE } from "./_ffi.ts";

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
}

function mds(dnnl: Dnnl, info: tf.backend_util.Conv2DInfo, free: Free) {
  const g = geometry(info);
  const plain = {
    src: memoryDesc(dnnl, g.src, E.tagNhwc),
    wei: memoryDesc(dnnl, g.wei, E.tagHwio),
    dst: memoryDesc(dnnl, g.dst, E.tagNhwc),
  };
  const op = {
    src: free.data ? memoryDesc(dnnl, g.src, E.tagAny) : plain.src,
    wei: free.weights ? memoryDesc(dnnl, g.wei, E.tagAny) : plain.wei,
    dst: free.data ? memoryDesc(dnnl, g.dst, E.tagAny) : plain.dst,
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
    op.src,
    op.wei,
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
  const q = (on: boolean, query: number) => on ? query : undefined;
  const t = free.data;
  if (kind === "bwdData" || kind === "bwdWeights") {
    const hint = primitiveDesc(dnnl, forwardDesc(dnnl, info, free, false));
    const desc = new Uint8Array(SIZE.convDesc);
    const status = kind === "bwdData"
      ? dnnl.lib.dnnl_dilated_convolution_backward_data_desc_init(
        desc,
        E.convDirect,
        op.src,
        op.wei,
        op.dst,
        g.strides,
        g.dilates,
        g.padL,
        g.padR,
      )
      : dnnl.lib.dnnl_dilated_convolution_backward_weights_desc_init(
        desc,
        E.convDirect,
        op.src,
        op.wei,
        null,
        op.dst,
        g.strides,
        g.dilates,
        g.padL,
        g.padR,
      );
    if (status !== 0) throw new Error(`oneDNN convolution ${kind} desc_init failed (${status})`);
    const pd = primitiveDesc(dnnl, desc, null, hint);
    return kind === "bwdData"
      ? new Layered(dnnl, pd, [
        {
          arg: E.argDiffDst,
          plain: plain.dst,
          query: q(free.data, E.queryDiffDstMd),
          transient: t,
        },
        { arg: E.argWeights, plain: plain.wei, query: q(free.weights, E.queryWeightsMd) },
        {
          arg: E.argDiffSrc,
          plain: plain.src,
          query: q(free.data, E.queryDiffSrcMd),
          output: true,
          transient: t,
        },
      ])
      : new Layered(dnnl, pd, [
        { arg: E.argSrc, plain: plain.src, query: q(free.data, E.querySrcMd), transient: t },
        {
          arg: E.argDiffDst,
          plain: plain.dst,
          query: q(free.data, E.queryDiffDstMd),
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
  const pd = primitiveDesc(dnnl, desc, relu ? reluAttr(dnnl) : null);
  const args: LayeredArg[] = [
    { arg: E.argSrc, plain: plain.src, query: q(free.data, E.querySrcMd), transient: t },
    { arg: E.argWeights, plain: plain.wei, query: q(free.weights, E.queryWeightsMd) },
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
