/**
 * Conv2D, FusedConv2D, Conv2DBackpropInput and Conv2DBackpropFilter on oneDNN
 * convolution primitives (`conv2d_primitives.ts`): NHWC data and HWIO filters
 * in, filters in oneDNN's blocked layout (reordered once per filter value),
 * activations in the blocked layout oneDNN prefers, passed on to the next
 * native kernel as they are (`../memory/layout.ts`).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { Cache, type Layered } from "../onednn/primitives.ts";
import type { Dnnl } from "../onednn/api.ts";
import {
  build,
  describe,
  type Described,
  type Free,
  keyOf,
  type Kind,
} from "./conv2d_primitives.ts";
import { WINOGRAD_IMPL } from "./winograd.ts";
import {
  allFloat32,
  alloc,
  cpuKernel1,
  type CpuLike,
  exclusive,
  type KernelArgs,
  output,
  sharedOutput,
  values,
} from "./kernel_args.ts";
import { nativePrecision } from "../memory/precision.ts";
import {
  ZERO_PAD_SHORTCUT_GRAD_KERNEL,
  ZERO_PAD_SHORTCUT_KERNEL,
  type ZeroPadShortcutAttrs,
} from "../../../core/zero_pad_shortcut.ts";
import { copyInto, intern, type Layout, layoutOf, setLayout, toPlain } from "../memory/layout.ts";
import { CONV2D_ADD_RELU_KERNEL } from "../../../core/conv2d_add_relu.ts";

/**
 * Whether each activation argument of `prim` can be passed in its blocked
 * layout: inputs already in it, outputs left in it. An input blocked otherwise
 * is turned into NHWC first (the primitive then reorders it in).
 */
function direct(
  backend: CpuLike,
  prim: Layered,
  ins: readonly (tf.TensorInfo | undefined)[],
): boolean[] {
  return prim.blocked.map((md, i) => {
    const t = ins[i];
    // No blocked layout of the plain one's size (weights, bf16 operands): the reorder reads NHWC.
    if (md === undefined) {
      if (t !== undefined) toPlain(backend, t);
      return false;
    }
    if (t === undefined) return true; // an output
    const have = layoutOf(t);
    if (have === intern(md)) return true;
    toPlain(backend, t);
    return false;
  });
}

/** Records the layout an output was left in by {@link direct}. */
function leave(prim: Layered, flags: readonly boolean[], index: number, out: tf.TensorInfo) {
  const md = prim.blocked[index];
  const layout: Layout | undefined = flags[index] && md !== undefined ? intern(md) : undefined;
  setLayout(out, layout);
  return out;
}

/** The cpu backend's kernel, on NHWC inputs. */
function cpu(name: string, args: KernelArgs): tf.TensorInfo {
  for (const t of Object.values(args.inputs)) if (t !== undefined) toPlain(args.backend, t);
  return cpuKernel1(name, args);
}

function nhwcOnly(): boolean {
  try {
    return Deno.env.get("SKIPLAB_NHWC") === "1";
  } catch {
    return false; // No --allow-env: the default.
  }
}

/**
 * Which tensors the kernels leave to oneDNN's layouts. Blocked weights let
 * oneDNN use its direct JIT kernels (4x faster backward passes than
 * im2col+GEMM on plain HWIO here), blocked activations 10-20% faster ones
 * still; SKIPLAB_NHWC=1 keeps activations NHWC (to measure the difference).
 * The 3x3 stride-1 layers that gain run as Winograd convolutions: oneDNN's
 * where it has them, else skiplab's own (`winogradFits` in
 * conv2d_primitives.ts, `winograd.ts`).
 */
export function trainingLayouts(): Free {
  return { data: !nhwcOnly(), weights: true, winograd: winogradSetting() };
}

/**
 * What runs the forward pass of an fp32 ResNet-sized 3x3 convolution here (64
 * to 64 channels, 32x32, batch 64), built as the training kernels build it:
 * oneDNN's implementation (e.g. `jit:avx2`, `jit_wino_4x3:avx512_core`) or
 * skiplab's Winograd convolution (`skiplab:winograd_4x3`); null where oneDNN
 * has none.
 */
export function convRunsAs(dnnl: Dnnl): string | null {
  const info = tf.backend_util.computeConv2DInfo([64, 32, 32, 64], [3, 3, 64, 64], 1, 1, "same");
  let d: Described;
  try {
    d = describe(dnnl, info, "fwd", trainingLayouts());
  } catch {
    return null;
  }
  const name = d.main === undefined ? dnnl.implName(d.pd) : WINOGRAD_IMPL;
  dnnl.destroyPd(d.pd);
  return name;
}

/**
 * SKIPLAB_WINOGRAD=0 keeps every convolution direct, SKIPLAB_WINOGRAD=skiplab
 * takes skiplab's own Winograd convolution even where oneDNN has one (both to
 * measure the difference); otherwise oneDNN's where it has one, else skiplab's.
 */
function winogradSetting(): boolean | "skiplab" {
  let value: string | undefined;
  try {
    value = Deno.env.get("SKIPLAB_WINOGRAD");
  } catch {
    return true; // No --allow-env: the default.
  }
  return value === "0" ? false : value === "skiplab" ? "skiplab" : true;
}

/**
 * Builds the four convolution kernels bound to one oneDNN instance, and the
 * zero-padding shortcut's two, which are convolutions too.
 */
export function convKernels(dnnl: Dnnl): Record<string, (args: KernelArgs) => tf.TensorInfo> {
  const cache = new Cache<Layered>();
  const free = trainingLayouts();
  const prim = (info: tf.backend_util.Conv2DInfo, kind: Kind) => {
    const bf16 = nativePrecision() === "bf16";
    return cache.get(
      `${keyOf(info, kind)}${bf16 ? ",bf16" : ""}`,
      () => build(dnnl, info, kind, { ...free, bf16 }),
    );
  };
  const channelsLast = (attrs: tf.NamedAttrMap) => attrs.dataFormat !== "NCHW";

  /** The geometry of a forward convolution kernel's call (inputs `x`, `filter`; NHWC). */
  function forwardInfo(args: KernelArgs): tf.backend_util.Conv2DInfo {
    const { x, filter } = args.inputs;
    const a = args.attrs as unknown as tf.Conv2DAttrs;
    return tf.backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      filter.shape as [number, number, number, number],
      a.strides,
      a.dilations,
      a.pad,
      a.dimRoundingMode,
      false,
      "channelsLast",
    );
  }

  function forward(args: KernelArgs, bias?: tf.TensorInfo, relu = false) {
    const { x, filter } = args.inputs;
    const info = forwardInfo(args);
    const kind: Kind = bias ? (relu ? "fwdBiasRelu" : "fwdBias") : relu ? "fwdRelu" : "fwd";
    const out = alloc(
      args.backend,
      info.batchSize * info.outHeight * info.outWidth * info.outChannels,
    );
    const p = prim(info, kind);
    const flags = direct(args.backend, p, bias ? [x, filter, bias] : [x, filter]);
    const bufs = [values(args.backend, x), values(args.backend, filter)];
    if (bias) bufs.push(values(args.backend, bias));
    bufs.push(out);
    // tfjs never changes a dataId's values, so the filter's dataId names its contents.
    p.execute(bufs, [undefined, filter.dataId], flags);
    return leave(p, flags, bufs.length - 1, output(args.backend, info.outShape, out));
  }

  // relu(conv + bias + residual) as one primitive: the residual, in the output's memory in the
  // layout the primitive writes (its own memory, or a copy), is added by its sum post-op before
  // the ReLU (the folded inference of a residual block's end, train/forward.ts): no Add and no
  // Relu pass after it.
  function convAddRelu(args: KernelArgs) {
    const { x, filter, bias, residual } = args.inputs;
    const info = forwardInfo(args);
    if (residual.shape.join() !== info.outShape.join()) {
      throw new RangeError(
        `${CONV2D_ADD_RELU_KERNEL}: 'residual' must have the output's shape ` +
          `[${info.outShape}], got [${residual.shape}]`,
      );
    }
    const p = prim(info, "fwdBiasSumRelu");
    const md = p.blocked[3];
    const layout = md === undefined ? undefined : intern(md);
    const backend = args.backend;
    // In the residual's own memory where its caller gives it up, nobody else holds its dataId
    // or its values, and it is already in the layout the output is written in; else a copy.
    const reuse = (args.attrs as { reuseResidual?: boolean }).reuseResidual === true &&
      residual.dataId !== x.dataId && layoutOf(residual) === layout && exclusive(backend, residual);
    const out = reuse
      ? values(backend, residual)
      : alloc(backend, info.outShape.reduce((q, v) => q * v, 1));
    if (!reuse) copyInto(backend, residual, layout, out);
    const flags = direct(backend, p, [x, filter, bias]);
    const bufs = [values(backend, x), values(backend, filter), values(backend, bias), out];
    p.execute(bufs, [undefined, filter.dataId], flags);
    return reuse
      ? sharedOutput(backend, residual, info.outShape)
      : leave(p, flags, 3, output(backend, info.outShape, out));
  }

  // He et al.'s option-A shortcut (core/zero_pad_shortcut.ts) as a 1x1 convolution whose
  // HWIO filter [1, 1, c, filters] copies channel i to channel i: x·1 plus exact zeros, so
  // the values are x's exactly, in fp32 whatever the run's precision, read and written in
  // the blocked layouts the convolutions around it use (no reorders, no one-threaded copy).
  const copies = new Map<string, { filter: Float32Array; key: object }>();
  const copyFilter = (c: number, filters: number) => {
    const id = `${c}>${filters}`;
    let entry = copies.get(id);
    if (entry === undefined) {
      const filter = new Float32Array(c * filters);
      for (let i = 0; i < c; i++) filter[i * filters + i] = 1;
      copies.set(id, entry = { filter, key: {} });
    }
    return entry;
  };
  // The forward pass maps x to the padded output, the gradient dy back to x's shape.
  const shortcut = (args: KernelArgs, kind: "fwd" | "bwdData") => {
    const a = args.attrs as ZeroPadShortcutAttrs;
    const [n, h, w, c] = a.inputShape;
    const info = tf.backend_util.computeConv2DInfo(
      [n, h, w, c],
      [1, 1, c, a.filters],
      a.stride,
      1,
      "valid",
    );
    const p = cache.get(`${keyOf(info, kind)},fp32`, () => build(dnnl, info, kind, free));
    const { filter, key } = copyFilter(c, a.filters);
    const input = kind === "fwd" ? args.inputs.x : args.inputs.dy;
    const shape = kind === "fwd" ? info.outShape : [...info.inShape];
    const out = alloc(args.backend, shape.reduce((q, v) => q * v, 1));
    const flags = direct(args.backend, p, [input]);
    p.execute([values(args.backend, input), filter, out], [undefined, key], flags);
    return leave(p, flags, 2, output(args.backend, shape, out));
  };

  return {
    [ZERO_PAD_SHORTCUT_KERNEL]: (args) => shortcut(args, "fwd"),
    [ZERO_PAD_SHORTCUT_GRAD_KERNEL]: (args) => shortcut(args, "bwdData"),
    Conv2D(args) {
      const { x, filter } = args.inputs;
      if (!channelsLast(args.attrs!) || !allFloat32(x, filter)) return cpu("Conv2D", args);
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
        return cpu("FusedConv2D", args);
      }
      return forward(args, bias, act === "relu");
    },
    [CONV2D_ADD_RELU_KERNEL](args) {
      const { x, filter, bias, residual } = args.inputs;
      const biasOk = bias !== undefined && bias.shape.length === 1 &&
        bias.shape[0] === filter.shape[3];
      if (!channelsLast(args.attrs!) || !allFloat32(x, filter, bias, residual) || !biasOk) {
        throw new TypeError(
          `${CONV2D_ADD_RELU_KERNEL}: NHWC float32 'x', 'filter', 'residual' and a bias of the ` +
            `filter's output channels, got ${x.dtype} x, ${filter.dtype} filter, ` +
            `bias ${bias === undefined ? "none" : `[${bias.shape}]`}, ${residual.dtype} residual`,
        );
      }
      return convAddRelu(args);
    },
    Conv2DBackpropInput(args) {
      const { dy, filter } = args.inputs;
      const a = args.attrs as unknown as tf.Conv2DBackpropInputAttrs;
      if (!channelsLast(args.attrs!) || !allFloat32(dy, filter)) {
        return cpu("Conv2DBackpropInput", args);
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
      const p = prim(info, "bwdData");
      const flags = direct(args.backend, p, [dy, filter]);
      p.execute(
        [values(args.backend, dy), values(args.backend, filter), out],
        [undefined, filter.dataId],
        flags,
      );
      return leave(p, flags, 2, output(args.backend, info.inShape, out));
    },
    Conv2DBackpropFilter(args) {
      const { x, dy } = args.inputs;
      const a = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
      if (!channelsLast(args.attrs!) || !allFloat32(x, dy)) {
        return cpu("Conv2DBackpropFilter", args);
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
      if (strided1x1(info)) {
        toPlain(args.backend, x);
        const src = values(args.backend, x);
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
        const p = prim(unit, "bwdWeights");
        p.execute(
          [sub, values(args.backend, dy), out],
          undefined,
          direct(args.backend, p, [
            undefined,
            dy,
          ]).map((f, i) => i === 1 && f),
        );
      } else {
        const p = prim(info, "bwdWeights");
        const flags = direct(args.backend, p, [x, dy]);
        p.execute([values(args.backend, x), values(args.backend, dy), out], undefined, flags);
      }
      return output(args.backend, [...a.filterShape], out);
    },
  };
}

/**
 * A 1x1 convolution with stride > 1 whose windows start at the first pixel,
 * over input channels that do not fill whole 16-channel blocks: the case whose
 * weight gradient oneDNN 2.6 gets wrong on AVX2 (3 or 5 channels). ResNet
 * projections (64 channels and more) keep their input blocked and go straight
 * to oneDNN: the detour cost resnet18 three reorders to NHWC and a one-threaded
 * copy per step, about 40 ms of a 900 ms step on 2 vCPUs of an AMD EPYC (Zen 5).
 */
export function strided1x1(info: tf.backend_util.Conv2DInfo): boolean {
  return info.filterHeight === 1 && info.filterWidth === 1 && info.inChannels % 16 !== 0 &&
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
