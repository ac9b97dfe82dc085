/**
 * The table of kernels the native backend serves itself, by tfjs kernel name:
 * which file's kernel serves each, which others it hands a call to when the
 * call is not its case, and why. Registration (`register.ts`) takes the
 * native kernels from here and nowhere else; every other kernel is the cpu
 * backend's. Where a kernel has two implementations, the first serves the
 * large float32 tensors on oneDNN (vectorised, on all cores) and the next
 * the small ones in one JavaScript loop, which costs less than a primitive
 * call below {@link NATIVE_ELTWISE_MIN} elements. Every chain ends in the cpu
 * kernel of the same name (other dtypes and patterns).
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { CONV2D_ADD_RELU_KERNEL } from "../../core/conv2d_add_relu.ts";
import { FUSED_ADAM_KERNEL } from "../../core/fused_adam.ts";
import {
  ZERO_PAD_SHORTCUT_GRAD_KERNEL,
  ZERO_PAD_SHORTCUT_KERNEL,
} from "../../core/zero_pad_shortcut.ts";
import { adamJsKernels } from "./kernels/adam_js.ts";
import { adamOnednnKernels } from "./kernels/adam_onednn.ts";
import {
  BATCH_NORM_GRAD_KERNEL,
  BATCH_NORM_RELU_TRAINING_KERNEL,
  BATCH_NORM_TRAINING_GRAD_KERNEL,
  BATCH_NORM_TRAINING_KERNEL,
  batchNormKernels,
} from "./kernels/batch_norm.ts";
import { batchNormJsKernels } from "./kernels/batch_norm_js.ts";
import { binaryJsKernels } from "./kernels/binary_js.ts";
import { binaryOnednnKernels } from "./kernels/binary_onednn.ts";
import { convKernels } from "./kernels/conv2d.ts";
import type { KernelArgs } from "./kernels/kernel_args.ts";
import { matMulKernels } from "./kernels/matmul.ts";
import { poolKernels } from "./kernels/pool.ts";
import { reduceJsKernels } from "./kernels/reduce_js.ts";
import { reduceOnednnKernels } from "./kernels/reduce_onednn.ts";
import { reluKernels } from "./kernels/relu.ts";
import { slicePadKernels } from "./kernels/slice_pad.ts";
import { unaryJsKernels } from "./kernels/unary_js.ts";
import { unaryOnednnKernels } from "./kernels/unary_onednn.ts";
import {
  RELU_GRAD_KERNEL,
  reluSquareGradJsKernels,
  SQUARE_GRAD_KERNEL,
} from "./gradients/relu_square_js.ts";
import { shapeRecordingKernels } from "./memory/saves.ts";
import type { Dnnl } from "./onednn/api.ts";

/** A native kernel function. */
export type NativeKernel = (args: KernelArgs) => tf.TensorInfo | tf.TensorInfo[];

/** Outputs smaller than this many elements stay in JS: a oneDNN call costs more there. */
export const NATIVE_ELTWISE_MIN = 1 << 17;

/** The files of this folder that build native kernels, as the table names them. */
export type KernelSource =
  | "kernels/adam_js.ts"
  | "kernels/adam_onednn.ts"
  | "kernels/batch_norm.ts"
  | "kernels/batch_norm_js.ts"
  | "kernels/binary_js.ts"
  | "kernels/binary_onednn.ts"
  | "kernels/conv2d.ts"
  | "kernels/matmul.ts"
  | "kernels/pool.ts"
  | "kernels/reduce_js.ts"
  | "kernels/reduce_onednn.ts"
  | "kernels/relu.ts"
  | "kernels/slice_pad.ts"
  | "kernels/unary_js.ts"
  | "kernels/unary_onednn.ts"
  | "gradients/relu_square_js.ts"
  | "memory/saves.ts";

/** Which implementation serves one kernel. */
export interface KernelChoice {
  /** The file whose kernel serves it, then those it hands calls to, in order (the cpu last). */
  readonly chain: readonly [KernelSource, ...KernelSource[]];
  /** Why this order. */
  readonly why: string;
}

const LARGE_ON_ONEDNN = "oneDNN from NATIVE_ELTWISE_MIN elements, JS below";
const JS_LOOP = "one compiled JS loop instead of the cpu kernel's index arithmetic";
const ONEDNN = "oneDNN primitive (vectorised, on all cores), NHWC or blocked layouts";

function choice(why: string, ...chain: [KernelSource, ...KernelSource[]]): KernelChoice {
  return { chain, why };
}

/** The native kernels by tfjs kernel name: every one the backend serves itself. */
export const NATIVE_KERNELS: Readonly<Record<string, KernelChoice>> = {
  // A residual sum: first note whether both inputs share a shape (then the gradient saves neither).
  Add: choice(
    `saves.ts records the shapes for the gradient; ${LARGE_ON_ONEDNN}`,
    "memory/saves.ts",
    "kernels/binary_onednn.ts",
    "kernels/binary_js.ts",
  ),
  Sub: choice(LARGE_ON_ONEDNN, "kernels/binary_onednn.ts", "kernels/binary_js.ts"),
  Multiply: choice(LARGE_ON_ONEDNN, "kernels/binary_onednn.ts", "kernels/binary_js.ts"),
  RealDiv: choice(LARGE_ON_ONEDNN, "kernels/binary_onednn.ts", "kernels/binary_js.ts"),
  Maximum: choice(JS_LOOP, "kernels/binary_js.ts"),
  Minimum: choice(JS_LOOP, "kernels/binary_js.ts"),
  SquaredDifference: choice(JS_LOOP, "kernels/binary_js.ts"),
  // oneDNN's eltwise ReLU maps NaN to 0; relu.ts uses a binary maximum, which keeps NaN.
  Relu: choice(LARGE_ON_ONEDNN, "kernels/relu.ts", "kernels/unary_js.ts"),
  Square: choice(LARGE_ON_ONEDNN, "kernels/unary_onednn.ts", "kernels/unary_js.ts"),
  Neg: choice(LARGE_ON_ONEDNN, "kernels/unary_onednn.ts", "kernels/unary_js.ts"),
  Step: choice(JS_LOOP, "kernels/unary_js.ts"),
  Sqrt: choice(JS_LOOP, "kernels/unary_js.ts"),
  Rsqrt: choice(JS_LOOP, "kernels/unary_js.ts"),
  Exp: choice(JS_LOOP, "kernels/unary_js.ts"),
  Abs: choice(JS_LOOP, "kernels/unary_js.ts"),
  [RELU_GRAD_KERNEL]: choice(LARGE_ON_ONEDNN, "kernels/relu.ts", "gradients/relu_square_js.ts"),
  [SQUARE_GRAD_KERNEL]: choice(
    LARGE_ON_ONEDNN,
    "kernels/binary_onednn.ts",
    "gradients/relu_square_js.ts",
  ),
  // Batch statistics of large NHWC tensors on a pooling primitive; other axes in one JS loop.
  Sum: choice(LARGE_ON_ONEDNN, "kernels/reduce_onednn.ts", "kernels/reduce_js.ts"),
  Mean: choice(LARGE_ON_ONEDNN, "kernels/reduce_onednn.ts", "kernels/reduce_js.ts"),
  Tile: choice(JS_LOOP, "kernels/reduce_js.ts"),
  Slice: choice("copies of contiguous runs instead of element by element", "kernels/slice_pad.ts"),
  PadV2: choice("copies of contiguous runs instead of element by element", "kernels/slice_pad.ts"),
  Reshape: choice("records the input shape, so the gradient saves no input", "memory/saves.ts"),
  Conv2D: choice(ONEDNN, "kernels/conv2d.ts"),
  FusedConv2D: choice(ONEDNN, "kernels/conv2d.ts"),
  Conv2DBackpropInput: choice(ONEDNN, "kernels/conv2d.ts"),
  Conv2DBackpropFilter: choice(ONEDNN, "kernels/conv2d.ts"),
  BatchMatMul: choice("oneDNN's sgemm", "kernels/matmul.ts"),
  _FusedMatMul: choice("oneDNN's sgemm, bias and ReLU in JS", "kernels/matmul.ts"),
  MaxPool: choice(ONEDNN, "kernels/pool.ts"),
  MaxPoolGrad: choice(ONEDNN, "kernels/pool.ts"),
  AvgPool: choice(ONEDNN, "kernels/pool.ts"),
  AvgPoolGrad: choice(ONEDNN, "kernels/pool.ts"),
  FusedBatchNorm: choice(
    `${ONEDNN} for rank 4; one JS loop for other ranks`,
    "kernels/batch_norm.ts",
    "kernels/batch_norm_js.ts",
  ),
  [BATCH_NORM_GRAD_KERNEL]: choice(ONEDNN, "kernels/batch_norm.ts"),
  [BATCH_NORM_TRAINING_KERNEL]: choice(ONEDNN, "kernels/batch_norm.ts"),
  [BATCH_NORM_RELU_TRAINING_KERNEL]: choice(
    `${ONEDNN}, the ReLU fused (a NaN about: unfused, tfjs's ReLU in JS)`,
    "kernels/batch_norm.ts",
  ),
  [BATCH_NORM_TRAINING_GRAD_KERNEL]: choice(ONEDNN, "kernels/batch_norm.ts"),
  [CONV2D_ADD_RELU_KERNEL]: choice(
    `${ONEDNN}: the residual added by a sum post-op before the ReLU`,
    "kernels/conv2d.ts",
  ),
  [ZERO_PAD_SHORTCUT_KERNEL]: choice(
    `${ONEDNN}: a 1x1 convolution with a 0/1 filter`,
    "kernels/conv2d.ts",
  ),
  [ZERO_PAD_SHORTCUT_GRAD_KERNEL]: choice(
    `${ONEDNN}: that convolution's backward data pass`,
    "kernels/conv2d.ts",
  ),
  [FUSED_ADAM_KERNEL]: choice(
    `${LARGE_ON_ONEDNN} (and with a decay of 1)`,
    "kernels/adam_onednn.ts",
    "kernels/adam_js.ts",
  ),
};

// Builders receive `next`: for each kernel whose chain holds them, the kernel after them.
type Kernels = Record<string, NativeKernel>;
// deno-lint-ignore no-explicit-any
type Builder = (dnnl: Dnnl, next: Record<string, any>) => Kernels;

const BUILDERS: Readonly<Record<KernelSource, Builder>> = {
  "kernels/adam_js.ts": () => adamJsKernels(),
  "kernels/adam_onednn.ts": (dnnl, next) => adamOnednnKernels(dnnl, next, NATIVE_ELTWISE_MIN),
  "kernels/batch_norm.ts": (dnnl, next) => batchNormKernels(dnnl, next),
  "kernels/batch_norm_js.ts": () => batchNormJsKernels(),
  "kernels/binary_js.ts": () => binaryJsKernels(),
  "kernels/binary_onednn.ts": (dnnl, next) => binaryOnednnKernels(dnnl, next, NATIVE_ELTWISE_MIN),
  "kernels/conv2d.ts": (dnnl) => convKernels(dnnl),
  "kernels/matmul.ts": (dnnl) => matMulKernels(dnnl),
  "kernels/pool.ts": (dnnl) => poolKernels(dnnl),
  "kernels/reduce_js.ts": () => reduceJsKernels(),
  "kernels/reduce_onednn.ts": (dnnl, next) => reduceOnednnKernels(dnnl, next, NATIVE_ELTWISE_MIN),
  "kernels/relu.ts": (dnnl, next) => reluKernels(dnnl, next, NATIVE_ELTWISE_MIN),
  "kernels/slice_pad.ts": () => slicePadKernels(),
  "kernels/unary_js.ts": () => unaryJsKernels(),
  "kernels/unary_onednn.ts": (dnnl, next) => unaryOnednnKernels(dnnl, next, NATIVE_ELTWISE_MIN),
  "gradients/relu_square_js.ts": () => reluSquareGradJsKernels(),
  "memory/saves.ts": (_, next) => shapeRecordingKernels(next.Add),
};

/**
 * Every source's kernels, bound to one opened oneDNN, each built once and
 * handed the next kernel of each chain it is in (so the table, not the order
 * of building, decides who calls whom).
 */
export function kernelSources(
  dnnl: Dnnl,
  table: Readonly<Record<string, KernelChoice>> = NATIVE_KERNELS,
): Record<KernelSource, Kernels> {
  const built = new Map<KernelSource, Kernels>();
  const building = new Set<KernelSource>();
  const build = (source: KernelSource): Kernels => {
    const done = built.get(source);
    if (done !== undefined) return done;
    if (building.has(source)) throw new Error(`Native kernel table: ${source} is in a cycle`);
    building.add(source);
    const next: Kernels = {};
    for (const [name, { chain }] of Object.entries(table)) {
      const at = chain.indexOf(source);
      if (at < 0 || at + 1 === chain.length) continue;
      const kernel = build(chain[at + 1])[name];
      if (kernel === undefined) {
        throw new Error(`Native kernel table: ${chain[at + 1]} builds no '${name}' kernel`);
      }
      next[name] = kernel;
    }
    const kernels = BUILDERS[source](dnnl, next);
    built.set(source, kernels);
    return kernels;
  };
  for (const source of Object.keys(BUILDERS) as KernelSource[]) build(source);
  return Object.fromEntries(built) as Record<KernelSource, Kernels>;
}

/** The kernel that serves each name of {@link NATIVE_KERNELS}, bound to one opened oneDNN. */
export function nativeKernels(dnnl: Dnnl): Record<string, NativeKernel> {
  const sources = kernelSources(dnnl);
  const kernels: Record<string, NativeKernel> = {};
  for (const [name, { chain: [first] }] of Object.entries(NATIVE_KERNELS)) {
    const kernel = sources[first][name];
    if (kernel === undefined) {
      throw new Error(`Native kernel table: ${first} builds no '${name}' kernel`);
    }
    kernels[name] = kernel;
  }
  return kernels;
}
