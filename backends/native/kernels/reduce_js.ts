/**
 * Sum and Mean over leading or trailing axes (batch-norm statistics and their
 * gradients, global average pooling) and Tile of a per-channel vector (the
 * gradient's broadcast back) in JavaScript: single loops instead of the cpu
 * backend's transpose-then-reduce and per-element index arithmetic. Large
 * batch statistics go to `reduce_onednn.ts` (`../kernels.ts` says which
 * serves what).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  allFloat32,
  alloc,
  cpuKernel1,
  INPUT_SHAPE_ATTR,
  type KernelArgs,
  output,
  values,
} from "./kernel_args.ts";

/** `shape` as [outer, mid, inner] around the reduced axes, or null when they are not contiguous. */
function split(shape: readonly number[], axes: number[]): [number, number, number] | null {
  const sorted = [...new Set(axes)].sort((p, q) => p - q);
  const first = sorted[0], last = sorted[sorted.length - 1];
  if (sorted.length === 0 || last - first + 1 !== sorted.length) return null;
  const size = (s: readonly number[]) => s.reduce((p, v) => p * v, 1);
  return [
    size(shape.slice(0, first)),
    size(shape.slice(first, last + 1)),
    size(shape.slice(last + 1)),
  ];
}

// Sums in JS numbers (float64), like the cpu backend, so results agree closely.
function reduce(xv: Float32Array, outer: number, mid: number, inner: number): Float32Array {
  const out = new Float32Array(outer * inner);
  if (inner === 1) {
    for (let o = 0; o < outer; o++) {
      let s = 0;
      const base = o * mid;
      for (let m = 0; m < mid; m++) s += xv[base + m];
      out[o] = s;
    }
    return out;
  }
  const acc = new Float64Array(inner);
  for (let o = 0; o < outer; o++) {
    acc.fill(0);
    for (let m = 0; m < mid; m++) {
      const base = (o * mid + m) * inner;
      for (let j = 0; j < inner; j++) acc[j] += xv[base + j];
    }
    for (let j = 0; j < inner; j++) out[o * inner + j] = acc[j];
  }
  return out;
}

function outShape(shape: readonly number[], axes: number[], keepDims: boolean): number[] {
  const set = new Set(axes);
  return keepDims ? shape.map((d, i) => set.has(i) ? 1 : d) : shape.filter((_, i) => !set.has(i));
}

function reduction(name: "Sum" | "Mean") {
  return (args: KernelArgs): tf.TensorInfo => {
    const { x } = args.inputs;
    const { axis, keepDims } = args.attrs as unknown as tf.SumAttrs;
    // The native Mean gradient reads the input shape from here (it saves no input).
    if (name === "Mean") (args.attrs as Record<string, unknown>)[INPUT_SHAPE_ATTR] = x.shape;
    if (!allFloat32(x) || x.shape.length === 0) return cpuKernel1(name, args);
    const axes = tf.util.parseAxisParam(axis, x.shape);
    const plan = split(x.shape, axes);
    if (plan === null || plan[0] * plan[1] * plan[2] === 0) return cpuKernel1(name, args);
    const out = reduce(values(args.backend, x), ...plan);
    if (name === "Mean") { for (let i = 0; i < out.length; i++) out[i] /= plan[1]; }
    return output(args.backend, outShape(x.shape, axes, Boolean(keepDims)), out);
  };
}

function tile(args: KernelArgs): tf.TensorInfo {
  const { x } = args.inputs;
  const { reps } = args.attrs as unknown as tf.TileAttrs;
  const r = x.shape.length;
  // Fast path: x is [1, ..., 1, tail] and reps are 1 on the tail, so the output repeats x.
  let k = 0;
  while (k < r && reps[k] !== 1 && x.shape[k] === 1) k++;
  const repeat = reps.slice(0, k).reduce((p, v) => p * v, 1);
  if (!allFloat32(x) || reps.length !== r || reps.slice(k).some((v) => v !== 1)) {
    return cpuKernel1("Tile", args);
  }
  const xv = values(args.backend, x);
  const out = alloc(args.backend, xv.length * repeat);
  for (let i = 0; i < repeat; i++) out.set(xv, i * xv.length);
  return output(args.backend, x.shape.map((d, i) => d * reps[i]), out);
}

/** Builds the reduction and tile JS kernels (no native library needed). */
export function reduceJsKernels(): Record<string, (args: KernelArgs) => tf.TensorInfo> {
  return {
    Sum: reduction("Sum"),
    Mean: reduction("Mean"),
    Tile: tile,
  };
}
