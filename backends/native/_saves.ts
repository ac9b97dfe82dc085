/**
 * What the native backend keeps for the backward pass. tfjs saves some inputs
 * only for their shapes, and ReLU's input where its output would do; in a
 * batch-normalised CNN that keeps two activation-sized tensors per layer alive
 * until the backward pass reaches them. On the native backend:
 *
 * - `Mean` and `Reshape` save nothing: their kernels record the input shape in
 *   the op's attributes, which the gradient reads;
 * - `Relu` saves its output (which the next layer saves anyway) instead of
 *   its input: `relu(x) > 0` exactly where `x > 0`, NaN where x is NaN.
 *
 * The gradient functions accept either form, so other backends keep tfjs's
 * saving unchanged.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { cpuKernel1, INPUT_SHAPE_ATTR, type KernelArgs } from "./_kernel_util.ts";

type GradFunc = tf.GradConfig["gradFunc"];

function shapeOf(saved: tf.Tensor[], attrs: tf.NamedAttrMap | undefined): number[] {
  const shape = saved[0]?.shape ?? (attrs as Record<string, unknown>)?.[INPUT_SHAPE_ATTR];
  if (shape === undefined) throw new Error("the gradient needs its input's shape");
  return shape as number[];
}

const reshapeGrad: GradFunc = (dy, saved, attrs) => ({
  x: () => tf.reshape(dy as tf.Tensor, shapeOf(saved, attrs)),
});

/** Registers `kernelName`'s gradient saving `lean` on `backend` and tfjs's choice elsewhere. */
function saveLess(
  backend: string,
  kernelName: string,
  lean: { inputsToSave: string[]; outputsToSave: boolean[] },
  gradFunc?: GradFunc,
): void {
  const current = tf.getGradient(kernelName);
  if (current === undefined) return;
  const native = () => tf.getBackend() === backend;
  tf.registerGradient({
    kernelName,
    get inputsToSave(): string[] {
      return native() ? lean.inputsToSave : current.inputsToSave ?? [];
    },
    get outputsToSave(): boolean[] {
      return native() ? lean.outputsToSave : current.outputsToSave ?? [];
    },
    gradFunc: gradFunc ?? current.gradFunc,
  });
}

/** Installs the leaner saving for `backend` (after the native gradients). */
export function installLeanSaves(backend: string): void {
  saveLess(backend, "Mean", { inputsToSave: [], outputsToSave: [] });
  saveLess(backend, "Reshape", { inputsToSave: [], outputsToSave: [] }, reshapeGrad);
  saveLess(backend, "Relu", { inputsToSave: [], outputsToSave: [true] });
}

/** The Reshape kernel of the cpu backend, recording its input's shape for the gradient. */
export function shapeRecordingKernels(): Record<string, (args: KernelArgs) => tf.TensorInfo> {
  return {
    Reshape(args) {
      if (args.attrs) {
        (args.attrs as Record<string, unknown>)[INPUT_SHAPE_ATTR] = args.inputs.x.shape;
      }
      return cpuKernel1("Reshape", args);
    },
  };
}
