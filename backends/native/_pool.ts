/**
 * MaxPool, MaxPoolGrad, AvgPool and AvgPoolGrad on oneDNN pooling primitives
 * (NHWC). Max-pool gradients re-run the forward pass to get oneDNN's workspace.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  type ArgSpec,
  Cache,
  dims,
  memoryDesc,
  Primitive,
  primitiveDesc,
  queryBytes,
  queryMd,
} from "./_dnnl.ts";
import { type Dnnl, E, SIZE } from "./_ffi.ts";
import { allFloat32, alloc, cpuKernel1, type KernelArgs, output, values } from "./_kernel_util.ts";

interface Pools {
  fwd: Primitive;
  bwd?: Primitive;
  workspace?: Uint8Array;
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

function build(dnnl: Dnnl, info: tf.backend_util.Conv2DInfo, alg: number, grad: boolean): Pools {
  const p = info.padInfo;
  const src = memoryDesc(
    dnnl,
    [info.batchSize, info.inChannels, info.inHeight, info.inWidth],
    E.tagNhwc,
  );
  const dst = memoryDesc(
    dnnl,
    [info.batchSize, info.outChannels, info.outHeight, info.outWidth],
    E.tagNhwc,
  );
  const geo = [
    dims([info.strideHeight, info.strideWidth]),
    dims([info.filterHeight, info.filterWidth]),
    dims([0, 0]),
    dims([p.top, p.left]),
    dims([p.bottom, p.right]),
  ] as const;
  const desc = new Uint8Array(SIZE.poolDesc);
  const prop = grad ? E.forwardTraining : E.forwardInference;
  let status = dnnl.lib.dnnl_pooling_v2_forward_desc_init(desc, prop, alg, src, dst, ...geo);
  if (status !== 0) throw new Error(`oneDNN pooling_v2_forward_desc_init failed (${status})`);
  const fwdPd = primitiveDesc(dnnl, desc);
  const wsBytes = grad ? queryBytes(dnnl, fwdPd, E.queryWorkspaceMd) : 0;
  const fwdSpecs: ArgSpec[] = [{ arg: E.argSrc, md: src }, { arg: E.argDst, md: dst }];
  if (wsBytes > 0) {
    fwdSpecs.push({ arg: E.argWorkspace, md: queryMd(dnnl, fwdPd, E.queryWorkspaceMd) });
  }
  const fwd = new Primitive(dnnl, fwdPd, fwdSpecs);
  if (!grad) return { fwd };
  const bdesc = new Uint8Array(SIZE.poolDesc);
  status = dnnl.lib.dnnl_pooling_v2_backward_desc_init(bdesc, alg, src, dst, ...geo);
  if (status !== 0) throw new Error(`oneDNN pooling_v2_backward_desc_init failed (${status})`);
  const bwdPd = primitiveDesc(dnnl, bdesc, null, fwdPd);
  const bwdSpecs: ArgSpec[] = [{ arg: E.argDiffDst, md: dst }, { arg: E.argDiffSrc, md: src }];
  if (wsBytes > 0) {
    bwdSpecs.push({ arg: E.argWorkspace, md: queryMd(dnnl, fwdPd, E.queryWorkspaceMd) });
  }
  return {
    fwd,
    bwd: new Primitive(dnnl, bwdPd, bwdSpecs),
    workspace: wsBytes > 0 ? new Uint8Array(wsBytes) : undefined,
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
  const pools = (info: tf.backend_util.Conv2DInfo, alg: number, grad: boolean) =>
    cache.get(key(info, alg, grad), () => build(dnnl, info, alg, grad));
  const size = (shape: number[]) => shape.reduce((p, v) => p * v, 1);

  function forward(name: string, alg: number, args: KernelArgs): tf.TensorInfo {
    const { x } = args.inputs;
    if (!allFloat32(x)) return cpuKernel1(name, args);
    const info = poolInfo(x, args.attrs!);
    const out = alloc(args.backend, size(info.outShape));
    pools(info, alg, false).fwd.execute([values(args.backend, x), out]);
    return output(args.backend, info.outShape, out);
  }

  function backward(name: string, alg: number, args: KernelArgs): tf.TensorInfo {
    const { dy, input } = args.inputs;
    if (!allFloat32(dy, input)) return cpuKernel1(name, args);
    const info = poolInfo(input, args.attrs!);
    const pl = pools(info, alg, true);
    const dx = alloc(args.backend, size(info.inShape));
    if (pl.workspace !== undefined) {
      const scratch = new Float32Array(size(info.outShape));
      pl.fwd.execute([values(args.backend, input), scratch, pl.workspace]);
      pl.bwd!.execute([values(args.backend, dy), dx, pl.workspace]);
    } else {
      pl.bwd!.execute([values(args.backend, dy), dx]);
    }
    return output(args.backend, [...input.shape], dx);
  }

  return {
    MaxPool: (args) => forward("MaxPool", E.poolMax, args),
    AvgPool: (args) => forward("AvgPool", E.poolAvgExclude, args),
    MaxPoolGrad: (args) => backward("MaxPoolGrad", E.poolMax, args),
    // tfjs's cpu AvgPoolGrad divides by the full window even where it was padded.
    AvgPoolGrad: (args) => backward("AvgPoolGrad", E.poolAvgInclude, args),
  };
}
