/**
 * MaxPool, MaxPoolGrad, AvgPool and AvgPoolGrad on oneDNN pooling primitives
 * (NHWC). Max-pool gradients re-run the forward pass to get oneDNN's workspace.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { type ArgSpec, Cache, Primitive, queryBytes, queryMdOf } from "../onednn/primitives.ts";
import type { Dnnl, Geometry2d, Md, Pd } from "../onednn/api.ts";
import { allFloat32, alloc, cpuKernel1, type KernelArgs, output, values } from "./kernel_args.ts";
import { intern, type Layout, layoutOf, setLayout, toPlain } from "../memory/layout.ts";

interface Pools {
  fwd: Primitive;
  bwd?: Primitive;
  workspace?: Uint8Array;
  /** Layout of the output (and of dy) when the input is blocked. */
  dstLayout?: Layout;
}

function poolInfo(x: tf.TensorInfo, attrs: tf.NamedAttrMap): tf.backend_util.Conv2DInfo {
  const a = attrs as unknown as tf.MaxPoolAttrs;
  return tf.backend_util.computePool2DInfo(
    x.shape as [number, number, number, number],
    a.filterSize,
    a.strides,
    1,
    a.pad,
    a.dimRoundingMode,
  );
}

/**
 * The forward primitive descriptor of a pooling. On oneDNN 2.x it passes over
 * the AVX and AVX2 kernels (`jit:avx2`, `jit:avx`) for the SSE4.1 one: on an
 * AMD EPYC with AVX2 (2.6, 2 threads, batch 64, 32 channels at 32x32) a 2x2
 * max pooling took 0.91 ms in inference and 3.0 ms writing its workspace on
 * `jit:avx2`, 0.27 and 0.43 ms on `jit:sse41`, and SSE4.1 was the faster in
 * every forward pass measured, max and average (docs/5-backends.md). Its
 * backward passes were the slower, so those keep oneDNN's choice. 3.x keeps
 * its first choice (its AVX2 training forward took 0.16 ms there), as does
 * every AVX-512 machine; no Intel CPU with AVX2 only was measured. Both
 * kernels write the same output and workspace bytes, and the AVX2 backward
 * pass reads the SSE4.1 workspace (tests/backends/native/kernels/pool_test.ts).
 */
export function poolForwardPd(
  dnnl: Dnnl,
  prop: number,
  alg: number,
  src: Md,
  dst: Md,
  geo: Geometry2d,
): Pd {
  const avoid = dnnl.generation === 2
    ? (impl: string) => impl === "jit:avx2" || impl === "jit:avx"
    : undefined;
  return dnnl.poolForward(prop, alg, src, dst, geo, { avoid });
}

function build(
  dnnl: Dnnl,
  info: tf.backend_util.Conv2DInfo,
  alg: number,
  grad: boolean,
  layout: Layout | undefined,
): Pools {
  const p = info.padInfo;
  const E = dnnl.E;
  // A blocked input (see `../memory/layout.ts`) is pooled as it is, into the same blocking.
  const src = layout?.md ?? dnnl.memoryDesc(
    [info.batchSize, info.inChannels, info.inHeight, info.inWidth],
    E.tagNhwc,
  );
  let dst = dnnl.memoryDesc(
    [info.batchSize, info.outChannels, info.outHeight, info.outWidth],
    layout === undefined ? E.tagNhwc : E.tagAny,
  );
  const geo: Geometry2d = {
    strides: [info.strideHeight, info.strideWidth],
    kernel: [info.filterHeight, info.filterWidth],
    dilates: [0, 0],
    padL: [p.top, p.left],
    padR: [p.bottom, p.right],
  };
  const prop = grad ? E.forwardTraining : E.forwardInference;
  const fwdPd = poolForwardPd(dnnl, prop, alg, src, dst, geo);
  if (layout !== undefined) dst = queryMdOf(dnnl, fwdPd, E.queryDstMd);
  const dstLayout = layout === undefined ? undefined : intern(dst);
  const wsBytes = grad ? queryBytes(dnnl, fwdPd, E.queryWorkspaceMd) : 0;
  const workspaceMd = wsBytes > 0 ? queryMdOf(dnnl, fwdPd, E.queryWorkspaceMd) : undefined;
  const fwdSpecs: ArgSpec[] = [{ arg: E.argSrc, md: src }, { arg: E.argDst, md: dst }];
  if (workspaceMd !== undefined) fwdSpecs.push({ arg: E.argWorkspace, md: workspaceMd });
  const fwd = new Primitive(dnnl, fwdPd, fwdSpecs);
  if (!grad) return { fwd, dstLayout };
  // The gradient of a blocked pooling is blocked like its input.
  const bwdPd = dnnl.poolBackward(alg, src, dst, geo, { hint: fwdPd });
  const bwdSpecs: ArgSpec[] = [{ arg: E.argDiffDst, md: dst }, { arg: E.argDiffSrc, md: src }];
  if (workspaceMd !== undefined) bwdSpecs.push({ arg: E.argWorkspace, md: workspaceMd });
  return {
    fwd,
    bwd: new Primitive(dnnl, bwdPd, bwdSpecs),
    workspace: wsBytes > 0 ? new Uint8Array(wsBytes) : undefined,
    dstLayout,
  };
}

function key(info: tf.backend_util.Conv2DInfo, alg: number, grad: boolean): string {
  const p = info.padInfo;
  return [alg, grad, info.batchSize, info.inHeight, info.inWidth, info.inChannels]
    .concat([info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth])
    .concat([p.top, p.bottom, p.left, p.right]).join(",");
}

/** Builds the pooling kernels bound to one oneDNN instance. */
export function poolKernels(dnnl: Dnnl): Record<string, (args: KernelArgs) => tf.TensorInfo> {
  const cache = new Cache<Pools>();
  const pools = (
    info: tf.backend_util.Conv2DInfo,
    alg: number,
    grad: boolean,
    layout: Layout | undefined,
  ) =>
    cache.get(
      `${key(info, alg, grad)},${layout?.id}`,
      () => build(dnnl, info, alg, grad, layout),
    );
  const size = (shape: number[]) => shape.reduce((p, v) => p * v, 1);

  function forward(name: string, alg: number, args: KernelArgs): tf.TensorInfo {
    const { x } = args.inputs;
    if (!allFloat32(x)) return (toPlain(args.backend, x), cpuKernel1(name, args));
    const info = poolInfo(x, args.attrs!);
    const out = alloc(args.backend, size(info.outShape));
    const pl = pools(info, alg, false, layoutOf(x));
    pl.fwd.execute([values(args.backend, x), out]);
    const y = output(args.backend, info.outShape, out);
    setLayout(y, pl.dstLayout);
    return y;
  }

  function backward(name: string, alg: number, args: KernelArgs): tf.TensorInfo {
    const { dy, input } = args.inputs;
    if (!allFloat32(dy, input)) {
      Object.values(args.inputs).forEach((t) => toPlain(args.backend, t));
      return cpuKernel1(name, args);
    }
    const info = poolInfo(input, args.attrs!);
    // A blocked input needs dy in the forward output's blocking; otherwise both go NHWC.
    let layout = layoutOf(input);
    if (layout === undefined || layoutOf(dy) !== pools(info, alg, true, layout).dstLayout) {
      toPlain(args.backend, input);
      toPlain(args.backend, dy);
      layout = undefined;
    }
    const pl = pools(info, alg, true, layout);
    const dx = alloc(args.backend, size(info.inShape));
    if (pl.workspace !== undefined) {
      const scratch = alloc(args.backend, size(info.outShape));
      pl.fwd.execute([values(args.backend, input), scratch, pl.workspace]);
      pl.bwd!.execute([values(args.backend, dy), dx, pl.workspace]);
      (args.backend as { buffers?: { give(v: unknown): void } }).buffers?.give(scratch);
    } else {
      pl.bwd!.execute([values(args.backend, dy), dx]);
    }
    const out = output(args.backend, [...input.shape], dx);
    setLayout(out, layout);
    return out;
  }

  return {
    MaxPool: (args) => forward("MaxPool", dnnl.E.poolMax, args),
    AvgPool: (args) => forward("AvgPool", dnnl.E.poolAvgExclude, args),
    MaxPoolGrad: (args) => backward("MaxPoolGrad", dnnl.E.poolMax, args),
    // tfjs's cpu AvgPoolGrad divides by the full window even where it was padded.
    AvgPoolGrad: (args) => backward("AvgPoolGrad", dnnl.E.poolAvgInclude, args),
  };
}
