/**
 * Cheaper gradients on the native backend for the kernels batch-normalised
 * CNNs are made of. tfjs keeps one gradient per kernel name for all backends,
 * so each replacement runs only when the native backend is active (and the
 * inputs suit it) and otherwise calls tfjs's own gradient unchanged:
 *
 * - `FusedBatchNorm`: all five gradients in one oneDNN primitive instead of
 *   about fifteen full-size elementwise ops and four reductions;
 * - `Mean` over leading axes (the batch-norm statistics): one broadcast of
 *   `dy / n` instead of ones × dy / n;
 * - `Relu` and `Square`: one pass instead of two elementwise ops.
 *
 * The mathematics is tfjs's; results agree with the cpu backend within float
 * rounding. Nested differentiation (gradients of gradients) keeps tfjs's
 * gradients, as the native kernels have none of their own.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { BATCH_NORM_GRAD_KERNEL, nativeBatchNormShape } from "../kernels/batch_norm.ts";
import { RELU_GRAD_KERNEL, SQUARE_GRAD_KERNEL } from "./relu_square_js.ts";
import { INPUT_SHAPE_ATTR } from "../kernels/kernel_args.ts";

type GradFunc = tf.GradConfig["gradFunc"];

/** True when a replacement gradient may run: native backend, not recording a tape. */
function active(backend: string): boolean {
  return tf.getBackend() === backend && tf.engine().state.gradientDepth === 0;
}

function batchNormGrad(backend: string, original: GradFunc): GradFunc {
  return (dy, saved, attrs) => {
    const [x, mean, variance, scale] = saved;
    const dyOne = dy as tf.Tensor;
    if (
      !active(backend) || !nativeBatchNormShape(x, mean, variance, scale) ||
      dyOne.shape.join() !== x.shape.join() || dyOne.dtype !== "float32"
    ) {
      return original(dy, saved, attrs);
    }
    const inputs: tf.NamedTensorMap = { dy: dyOne, x, mean, variance };
    if (scale !== undefined) inputs.scale = scale;
    const [dx, dMean, dVar, dScale, dOffset] = tf.engine().runKernel(
      BATCH_NORM_GRAD_KERNEL,
      inputs,
      attrs,
    ) as tf.Tensor[];
    return {
      x: () => dx,
      mean: () => dMean,
      variance: () => dVar,
      scale: () => dScale,
      offset: () => dOffset,
    };
  };
}

// The input's shape comes from the saved input, or on native (which saves none,
// see `saves.ts`) from the attribute the kernel recorded.
function meanGrad(backend: string): GradFunc {
  return (dy, saved, attrs) => {
    const shape = (saved[0]?.shape ??
      (attrs as Record<string, unknown>)[INPUT_SHAPE_ATTR]) as number[] | undefined;
    if (shape === undefined) throw new Error("Mean's gradient needs its input's shape");
    const axes = tf.util.parseAxisParam((attrs as unknown as tf.MeanAttrs).axis, shape);
    const set = new Set(axes);
    const n = [...set].reduce((p, a) => p * shape[a], 1);
    const expanded = shape.map((d, i) => set.has(i) ? 1 : d);
    const leading = [...set].every((a) => a < set.size);
    const d = dy as tf.Tensor;
    if (!active(backend) || !leading || d.dtype !== "float32") {
      // tfjs's own formula.
      return { x: () => tf.div(tf.mul(tf.reshape(d, expanded), tf.ones(shape, "float32")), n) };
    }
    const reps = shape.map((v, i) => set.has(i) ? v : 1);
    return { x: () => tf.tile(tf.div(tf.reshape(d, expanded), n), reps) };
  };
}

/** A gradient of one input computed by the native kernel `kernel` of (dy, x). */
function unaryGrad(kernel: string) {
  return (backend: string, original: GradFunc): GradFunc => (dy, saved, attrs) => {
    const [x] = saved;
    const d = dy as tf.Tensor;
    if (
      !active(backend) || x === undefined || x.dtype !== "float32" || d.dtype !== "float32" ||
      d.shape.join() !== x.shape.join()
    ) {
      return original(dy, saved, attrs);
    }
    return { x: () => tf.engine().runKernel(kernel, { dy: d, x }) as tf.Tensor };
  };
}

const REPLACEMENTS: Record<string, (backend: string, original: GradFunc) => GradFunc> = {
  FusedBatchNorm: batchNormGrad,
  Relu: unaryGrad(RELU_GRAD_KERNEL),
  Square: unaryGrad(SQUARE_GRAD_KERNEL),
};

/** Installs the native gradients for `backend` (once; tfjs's remain the fallback). */
export function installNativeGradients(backend: string): void {
  for (const [kernelName, make] of Object.entries(REPLACEMENTS)) {
    const original = tf.getGradient(kernelName);
    if (original === undefined) continue;
    tf.registerGradient({ ...original, gradFunc: make(backend, original.gradFunc) });
  }
  const mean = tf.getGradient("Mean");
  if (mean !== undefined) tf.registerGradient({ ...mean, gradFunc: meanGrad(backend) });
}
