/**
 * Activations in oneDNN's blocked layouts between native kernels. oneDNN's
 * convolutions run 10–20% faster on channel-blocked data (`nChw8c`) than on
 * tfjs's NHWC, and a reorder in and out of each call costs part of that back.
 * So a convolution leaves its result blocked, and the kernels that can read it
 * so (convolutions, batch norm, Relu and its gradient, same-shape Add,
 * Reshape and Identity) pass it on; any other kernel, and every read from
 * JavaScript, first turns the tensor back into NHWC in place (tfjs tensors
 * never change value, so which layout holds the value is invisible).
 *
 * A blocked tensor has the same size as its NHWC form (only layouts without
 * padding are used), so the output pool serves both.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { Cache, Primitive } from "../onednn/primitives.ts";
import type { Dnnl, Md } from "../onednn/api.ts";
import { alloc, type CpuLike } from "../kernels/kernel_args.ts";

/** A blocked memory layout, one object per distinct descriptor. */
export interface Layout {
  /** The oneDNN memory descriptor. */
  readonly md: Md;
  /** A short name of it for cache keys. */
  readonly id: number;
}

const interned: Layout[] = [];
/** The layout of each descriptor object already seen: the common case costs no oneDNN call. */
const seen = new WeakMap<Md, Layout>();

/**
 * The one {@link Layout} object of descriptor `md`. Descriptors are compared
 * by oneDNN (a 3.x descriptor is an opaque handle); a run has a few dozen
 * distinct layouts, and each descriptor object is looked up once.
 */
export function intern(md: Md): Layout {
  let layout = seen.get(md);
  if (layout !== undefined) return layout;
  layout = interned.find((l) => dnnl!.mdEqual(l.md, md));
  if (layout === undefined) interned.push(layout = { md, id: interned.length });
  seen.set(md, layout);
  return layout;
}

/** Where each tensor's values are blocked, and their shape, by dataId (absent: NHWC). */
const blocked = new WeakMap<tf.DataId, { layout: Layout; shape: readonly number[] }>();

let dnnl: Dnnl | undefined;
const reorders = new Cache<Primitive>();

/** Binds the layout conversions to an opened oneDNN (once, when the backend registers). */
export function initLayouts(lib: Dnnl): void {
  dnnl = lib;
}

/** The layout of `t`'s values, undefined when they are NHWC. */
export function layoutOf(t: tf.TensorInfo): Layout | undefined {
  return blocked.get(t.dataId)?.layout;
}

/** Records that `t`'s values are in `layout` (undefined: NHWC). */
export function setLayout(t: tf.TensorInfo, layout: Layout | undefined): void {
  if (layout === undefined) blocked.delete(t.dataId);
  else blocked.set(t.dataId, { layout, shape: t.shape });
}

/** The NHWC descriptor of a rank-4 shape. */
export function nhwc(lib: Dnnl, [n, h, w, c]: readonly number[]): Md {
  return lib.memoryDesc([n, c, h, w], lib.E.tagNhwc);
}

/**
 * The channel-blocked layout (`nChw16c` and the like) of the rank-4 NHWC
 * `shape` that holds its values byte for byte as NHWC does: the one whose block
 * is all the channels, for 4, 8 or 16 of them. oneDNN picks it for such
 * activations, and a reorder between the two would be a plain copy.
 */
export function plainAlias(lib: Dnnl, [n, h, w, c]: readonly number[]): Md | undefined {
  const tag = lib.E.tagChannelBlocks[c as 4 | 8 | 16];
  return tag === undefined ? undefined : lib.memoryDesc([n, c, h, w], tag);
}

/** The cached reorder `key` between `from` and `to`, made (descriptors and all) on first use. */
function reorder(lib: Dnnl, key: string, mds: () => [Md, Md]): Primitive {
  return reorders.get(key, () => {
    const [from, to] = mds();
    return new Primitive(lib, lib.reorder(from, to), [
      { arg: lib.E.argSrc, md: from },
      { arg: lib.E.argDst, md: to },
    ]);
  });
}

/** Turns the values of `t` (a tensor info or dataId) back into NHWC in place, if blocked. */
export function toPlain(backend: CpuLike, t: tf.TensorInfo | tf.DataId): void {
  const dataId = (t as tf.TensorInfo).dataId ?? t;
  const b = blocked.get(dataId);
  if (b === undefined || dnnl === undefined) return;
  const { layout, shape } = b;
  const entry = backend.data.get(dataId);
  const from = entry.values as Float32Array;
  const to = alloc(backend, from.length);
  const lib = dnnl;
  reorder(lib, `${layout.id}>${shape}`, () => [layout.md, nhwc(lib, shape)]).execute([from, to]);
  entry.values = to;
  blocked.delete(dataId);
  (backend as { buffers?: { give(v: unknown): void } }).buffers?.give(from);
}

/**
 * Writes the values of the rank-4 `t`, in whatever layout they are, into `out`
 * in `layout` (of `t`'s shape; undefined: NHWC): one oneDNN reorder, on all
 * cores, a copy where the layouts agree.
 */
export function copyInto(
  backend: CpuLike,
  t: tf.TensorInfo,
  layout: Layout | undefined,
  out: Float32Array,
): void {
  const lib = dnnl!;
  const from = layoutOf(t);
  const key = `copy|${from?.id ?? "nhwc"}>${layout?.id ?? "nhwc"}|${t.shape}`;
  const mds = (): [Md, Md] => [from?.md ?? nhwc(lib, t.shape), layout?.md ?? nhwc(lib, t.shape)];
  reorder(lib, key, mds).execute([backend.data.get(t.dataId).values as Float32Array, out]);
}

/** Turns the NHWC values of `t` into `layout` (of `t`'s shape) in place. */
function toBlocked(backend: CpuLike, t: tf.TensorInfo, layout: Layout): void {
  if (dnnl === undefined) return;
  const entry = backend.data.get(t.dataId);
  const from = entry.values as Float32Array;
  const to = alloc(backend, from.length);
  const lib = dnnl;
  reorder(lib, `${t.shape}>${layout.id}`, () => [nhwc(lib, t.shape), layout.md]).execute([
    from,
    to,
  ]);
  entry.values = to;
  blocked.set(t.dataId, { layout, shape: t.shape });
  (backend as { buffers?: { give(v: unknown): void } }).buffers?.give(from);
}

/**
 * The layout the rank-4 `tensors` of one shape are to share: the first
 * blocked one among them, into which the others are reordered (NHWC when
 * none is blocked or the shapes differ, all then turned into NHWC). Choosing
 * the blocked side matters in the backward pass: a gradient that arrives in
 * NHWC (from a pooling or dense layer) is reordered once, and every kernel
 * after it meets blocked activations again, instead of each turning its
 * blocked input into NHWC.
 */
export function common(backend: CpuLike, ...tensors: tf.TensorInfo[]): Layout | undefined {
  const first = layoutOf(tensors[0]);
  const shape = tensors[0].shape.join();
  const sameShape = tensors.every((t) => t.shape.join() === shape);
  if (sameShape && tensors.every((t) => layoutOf(t) === first)) return first;
  const target = sameShape ? tensors.map(layoutOf).find((l) => l !== undefined) : undefined;
  into(backend, target, ...tensors);
  return target;
}

/** Turns the values of each of `tensors` into `layout` (undefined: NHWC) in place, where they differ. */
export function into(
  backend: CpuLike,
  layout: Layout | undefined,
  ...tensors: tf.TensorInfo[]
): void {
  for (const t of tensors) {
    if (layoutOf(t) === layout) continue;
    toPlain(backend, t);
    if (layout !== undefined) toBlocked(backend, t, layout);
  }
}

/** Wraps a kernel so that its inputs are NHWC when it runs. */
export function plainInputs(kernel: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    for (const t of Object.values(args.inputs)) {
      if (t !== undefined) toPlain(args.backend as CpuLike, t as tf.TensorInfo);
    }
    return kernel(args);
  };
}

/**
 * Wraps a layout-agnostic kernel (elementwise over operands of one shape, or
 * sharing its input's dataId) so that its output keeps its inputs' layout.
 */
export function inherit(kernelName: string, kernel: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const backend = args.backend as CpuLike;
    const ins = Object.values(args.inputs).filter((t) => t !== undefined) as tf.TensorInfo[];
    if (kernelName === "Reshape" || kernelName === "Identity") {
      const out = kernel(args) as tf.TensorInfo;
      // A new shape over the same dataId: the values must be NHWC for it.
      if (out.shape.join() !== ins[0].shape.join()) toPlain(backend, ins[0]);
      return out;
    }
    const layout = ins.every((t) => t.shape.length === 4) ? common(backend, ...ins) : undefined;
    if (layout === undefined) { for (const t of ins) toPlain(backend, t); }
    const out = kernel(args) as tf.TensorInfo;
    setLayout(out, layout);
    return out;
  };
}
