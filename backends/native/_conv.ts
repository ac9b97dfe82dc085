/**
 * Conv2D, FusedConv2D, Conv2DBackpropInput and Conv2DBackpropFilter on oneDNN
 * convolution primitives, in tfjs's own layouts (NHWC data, HWIO filters).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  Cache,
  dims,
  Layered,
  type LayeredArg,
  memoryDesc,
  primitiveDesc,
  reluAttr,
} from "./_dnnl.ts";
import { type Dnnl, E, SIZE } from "./_ffi.ts";
import { allFloat32, alloc, cpuKernel1, type KernelArgs, output, values } from "./_kernel_util.ts";

type Kind = "fwd" | "fwdBias" | "fwdBiasRelu" | "fwdRelu" | "bwdData" | "bwdWeights";

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
interface Free {
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

function build(dnnl: Dnnl, info: tf.backend_util.Conv2DInfo, kind: Kind, free: Free): Layered {
  const { g, plain, op } = mds(dnnl, info, free);
  const q = (on: boolean, query: number) => on ? query : undefined;
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
        { arg: E.argDiffDst, plain: plain.dst, query: q(free.data, E.queryDiffDstMd) },
        { arg: E.argWeights, plain: plain.wei, query: q(free.weights, E.queryWeightsMd) },
        {
          arg: E.argDiffSrc,
          plain: plain.src,
          query: q(free.data, E.queryDiffSrcMd),
          output: true,
        },
      ])
      : new Layered(dnnl, pd, [
        { arg: E.argSrc, plain: plain.src, query: q(free.data, E.querySrcMd) },
        { arg: E.argDiffDst, plain: plain.dst, query: q(free.data, E.queryDiffDstMd) },
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
    { arg: E.argSrc, plain: plain.src, query: q(free.data, E.querySrcMd) },
    { arg: E.argWeights, plain: plain.wei, query: q(free.weights, E.queryWeightsMd) },
  ];
  if (bias) args.push({ arg: E.argBias, plain: memoryDesc(dnnl, [info.outChannels], E.tagA) });
  args.push({ arg: E.argDst, plain: plain.dst, query: q(free.data, E.queryDstMd), output: true });
  return new Layered(dnnl, pd, args);
}

function keyOf(info: tf.backend_util.Conv2DInfo, kind: Kind): string {
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

/** Builds the four convolution kernels bound to one oneDNN instance. */
export function convKernels(dnnl: Dnnl): Record<string, (args: KernelArgs) => tf.TensorInfo> {
  const cache = new Cache<Layered>();
  // Blocked weights let oneDNN use its direct JIT kernels (4x faster backward
  // passes than im2col+GEMM on plain HWIO here); NHWC activations stay as they are.
  const free = { data: false, weights: true };
  const prim = (info: tf.backend_util.Conv2DInfo, kind: Kind) =>
    cache.get(keyOf(info, kind), () => build(dnnl, info, kind, free));
  const channelsLast = (attrs: tf.NamedAttrMap) => attrs.dataFormat !== "NCHW";

  function forward(args: KernelArgs, bias?: tf.TensorInfo, relu = false) {
    const { x, filter } = args.inputs;
    const a = args.attrs as unknown as tf.Conv2DAttrs;
    const info = tf.backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      filter.shape as [number, number, number, number],
      a.strides,
      a.dilations,
      a.pad,
      a.dimRoundingMode,
      false,
      "channelsLast",
    );
    const kind: Kind = bias ? (relu ? "fwdBiasRelu" : "fwdBias") : relu ? "fwdRelu" : "fwd";
    const out = alloc(
      args.backend,
      info.batchSize * info.outHeight * info.outWidth * info.outChannels,
    );
    const bufs = [values(args.backend, x), values(args.backend, filter)];
    if (bias) bufs.push(values(args.backend, bias));
    bufs.push(out);
    // tfjs never changes a dataId's values, so the filter's dataId names its contents.
    prim(info, kind).execute(bufs, [undefined, filter.dataId]);
    return output(args.backend, info.outShape, out);
  }

  return {
    Conv2D(args) {
      const { x, filter } = args.inputs;
      if (!channelsLast(args.attrs!) || !allFloat32(x, filter)) return cpuKernel1("Conv2D", args);
      return forward(args);
    },
    FusedConv2D(args) {
      const { x, filter, bias } = args.inputs;
      const a = args.attrs as unknown as tf.FusedConv2DAttrs;
      const biasOk = bias === undefined ||
        (bias.shape.length === 1 && bias.shape[0] === filter.shape[3]);
      const act = a.activation ?? "linear";
      // Other activations (elu, prelu, ...) are rare in CNNs; the cpu kernel keeps them exact.
      if (
        !channelsLast(args.attrs!) || !allFloat32(x, filter, bias) || !biasOk ||
        (act !== "linear" && act !== "relu")
      ) {
        return cpuKernel1("FusedConv2D", args);
      }
      return forward(args, bias, act === "relu");
    },
    Conv2DBackpropInput(args) {
      const { dy, filter } = args.inputs;
      const a = args.attrs as unknown as tf.Conv2DBackpropInputAttrs;
      if (!channelsLast(args.attrs!) || !allFloat32(dy, filter)) {
        return cpuKernel1("Conv2DBackpropInput", args);
      }
      const info = tf.backend_util.computeConv2DInfo(
        a.inputShape,
        filter.shape as [number, number, number, number],
        a.strides,
        1,
        a.pad,
        a.dimRoundingMode,
      );
      const out = alloc(args.backend, info.inShape.reduce((p, v) => p * v, 1));
      prim(info, "bwdData").execute(
        [values(args.backend, dy), values(args.backend, filter), out],
        [undefined, filter.dataId],
      );
      return output(args.backend, info.inShape, out);
    },
    Conv2DBackpropFilter(args) {
      const { x, dy } = args.inputs;
      const a = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
      if (!channelsLast(args.attrs!) || !allFloat32(x, dy)) {
        return cpuKernel1("Conv2DBackpropFilter", args);
      }
      const info = tf.backend_util.computeConv2DInfo(
        x.shape as [number, number, number, number],
        a.filterShape,
        a.strides,
        1,
        a.pad,
        a.dimRoundingMode,
      );
      const out = alloc(args.backend, a.filterShape.reduce((p, v) => p * v, 1));
      const src = values(args.backend, x);
      if (strided1x1(info)) {
        // oneDNN 2.6's AVX2 1x1 backward-weights kernel gets strided 1x1 filter gradients wrong
        // for some channel counts (3 or 5 input channels: errors of 1e-2 to 4e-1, relative).
        // Taking every stride-th pixel first makes it a stride-1 problem, and a smaller one.
        const sub = subsample(src, info);
        const unit = tf.backend_util.computeConv2DInfo(
          [info.batchSize, info.outHeight, info.outWidth, info.inChannels],
          a.filterShape,
          1,
          1,
          "valid",
        );
        prim(unit, "bwdWeights").execute([sub, values(args.backend, dy), out]);
      } else {
        prim(info, "bwdWeights").execute([src, values(args.backend, dy), out]);
      }
      return output(args.backend, [...a.filterShape], out);
    },
  };
}

/** A 1x1 convolution with stride > 1 whose windows start at the first pixel. */
function strided1x1(info: tf.backend_util.Conv2DInfo): boolean {
  return info.filterHeight === 1 && info.filterWidth === 1 &&
    (info.strideHeight > 1 || info.strideWidth > 1) &&
    info.padInfo.top === 0 && info.padInfo.left === 0 &&
    info.dilationHeight === 1 && info.dilationWidth === 1;
}

/** The pixels a strided 1x1 convolution reads, as a dense NHWC batch of the output's size. */
function subsample(x: Float32Array, info: tf.backend_util.Conv2DInfo): Float32Array {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow } =
    info;
  const out = new Float32Array(n * oh * ow * c);
  let o = 0;
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++) {
        const from = ((b * h + i * info.strideHeight) * w + j * info.strideWidth) * c;
        out.set(x.subarray(from, from + c), o);
        o += c;
      }
    }
  }
  return out;
}
