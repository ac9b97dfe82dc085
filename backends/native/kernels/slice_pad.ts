/**
 * Slice and PadV2 as copies of contiguous runs. The cpu kernels move a
 * non-contiguous box element by element through index arithmetic; for the
 * zero-padded shortcuts of resnet20–110 (a stride-2 subsampling slice and a
 * channel pad, and their gradients, a pad and a slice) that took 70% of a
 * training step.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { allFloat32, alloc, cpuKernel1, type KernelArgs, output, values } from "./kernel_args.ts";

function strides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  for (let k = shape.length - 1, m = 1; k >= 0; k--) (s[k] = m, m *= shape[k]);
  return s;
}

/**
 * Copies the box of extent `size` at `from` in `src` (row-major, `srcShape`)
 * to `to` in `dst` (`dstShape`, same rank). Trailing dims the box covers
 * whole in both arrays are one contiguous run per outer index.
 */
export function copyBox(
  src: Float32Array,
  srcShape: readonly number[],
  from: readonly number[],
  dst: Float32Array,
  dstShape: readonly number[],
  to: readonly number[],
  size: readonly number[],
): void {
  const r = size.length;
  if (r === 0) {
    dst[0] = src[0];
    return;
  }
  if (size.some((s) => s === 0)) return;
  const ss = strides(srcShape), ds = strides(dstShape);
  let k = r - 1;
  while (k > 0 && size[k] === srcShape[k] && size[k] === dstShape[k]) k--;
  const run = size[k] * ss[k];
  let so = 0, dO = 0;
  for (let j = 0; j < r; j++) (so += from[j] * ss[j], dO += to[j] * ds[j]);
  const idx = new Array<number>(k).fill(0);
  for (;;) {
    if (run >= 64) dst.set(src.subarray(so, so + run), dO);
    else for (let i = 0; i < run; i++) dst[dO + i] = src[so + i];
    let j = k - 1;
    for (; j >= 0; j--) {
      so += ss[j];
      dO += ds[j];
      if (++idx[j] < size[j]) break;
      so -= size[j] * ss[j];
      dO -= size[j] * ds[j];
      idx[j] = 0;
    }
    if (j < 0) return;
  }
}

/** Slice and PadV2 for float32 tensors; other dtypes go to the cpu kernels. */
export function slicePadKernels(): Record<string, (args: KernelArgs) => tf.TensorInfo> {
  return {
    Slice(args) {
      const { x } = args.inputs;
      if (!allFloat32(x)) return cpuKernel1("Slice", args);
      const [begin, size] = tf.slice_util.parseSliceParams(
        x as tf.Tensor,
        args.attrs!.begin as number[],
        args.attrs!.size as number[],
      );
      const n = size.reduce((p, v) => p * v, 1);
      const out = alloc(args.backend, n);
      const zeros = new Array<number>(size.length).fill(0);
      if (n > 0) copyBox(values(args.backend, x), x.shape, begin, out, size, zeros, size);
      return output(args.backend, size, out);
    },
    PadV2(args) {
      const { x } = args.inputs;
      if (!allFloat32(x)) return cpuKernel1("PadV2", args);
      const paddings = args.attrs!.paddings as [number, number][];
      const shape = x.shape.map((s, k) => paddings[k][0] + s + paddings[k][1]);
      const out = alloc(args.backend, shape.reduce((p, v) => p * v, 1));
      out.fill(Number(args.attrs!.constantValue ?? 0));
      const before = paddings.map((p) => p[0]);
      const src = values(args.backend, x);
      if (src.length > 0) {
        copyBox(src, x.shape, new Array(x.shape.length).fill(0), out, shape, before, x.shape);
      }
      return output(args.backend, shape, out);
    },
  };
}
