/**
 * What the native backend keeps for the backward pass. tfjs saves some inputs
 * only for their shapes, and ReLU's input where its output would do; in a
 * batch-normalised CNN that keeps two activation-sized tensors per layer alive
 * until the backward pass reaches them. On the native backend:
 *
 * - `Mean` and `Reshape` save nothing: their kernels record the input shape in
 *   the op's attributes, which the gradient reads;
 * - `Relu` saves its output (which the next layer saves anyway) instead of
 *   its input: `relu(x) > 0` exactly where `x > 0`, NaN where x is NaN;
 * - `Add` of two tensors of one shape (a residual block's sum) saves nothing:
 *   tfjs saves both inputs only for their shapes, which are then the
 *   gradient's own. That frees a block's last batch-norm output and the
 *   shortcut at once (74 MB of resnet18's forward pass at batch 64). An Add
 *   that broadcasts saves both, as in tfjs.
 *
 * The gradient functions accept either form, so other backends keep tfjs's
 * saving unchanged.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { cpuKernel1, INPUT_SHAPE_ATTR, type KernelArgs } from "../kernels/kernel_args.ts";

type GradFunc = tf.GradConfig["gradFunc"];

function shapeOf(saved: tf.Tensor[], attrs: tf.NamedAttrMap | undefined): number[] {
  const shape = saved[0]?.shape ?? (attrs as Record<string, unknown>)?.[INPUT_SHAPE_ATTR];
  if (shape === undefined) throw new Error("the gradient needs its input's shape");
  return shape as number[];
}

const reshapeGrad: GradFunc = (dy, saved, attrs) => ({
  x: () => tf.reshape(dy as tf.Tensor, shapeOf(saved, attrs)),
});

/**
 * Whether the Add that ran last had inputs of one shape: set by every native
 * Add kernel call, read by the saving rule, which tfjs consults right after
 * the kernel returns (and only then).
 */
let lastAddSameShapes = false;

/** Both inputs' gradient is `dy` itself when nothing broadcast (nothing saved). */
const addGrad = (tfjs: GradFunc): GradFunc => (dy, saved, attrs) => {
  if (saved.length > 0) return tfjs(dy, saved, attrs);
  const d = dy as tf.Tensor;
  return { a: () => tf.reshape(d, d.shape), b: () => tf.reshape(d, d.shape) };
};

interface Lean {
  readonly inputsToSave: string[];
  readonly outputsToSave: boolean[];
}

/** Registers `kernelName`'s gradient saving `lean` on `backend` and tfjs's choice elsewhere. */
function saveLess(
  backend: string,
  kernelName: string,
  lean: Lean | (() => Lean),
  gradFunc?: (tfjs: GradFunc) => GradFunc,
): void {
  const current = tf.getGradient(kernelName);
  if (current === undefined) return;
  const native = () => tf.getBackend() === backend;
  const rule = typeof lean === "function" ? lean : () => lean;
  tf.registerGradient({
    kernelName,
    get inputsToSave(): string[] {
      return native() ? rule().inputsToSave : current.inputsToSave ?? [];
    },
    get outputsToSave(): boolean[] {
      return native() ? rule().outputsToSave : current.outputsToSave ?? [];
    },
    gradFunc: gradFunc?.(current.gradFunc) ?? current.gradFunc,
  });
}

/** Installs the leaner saving for `backend` (after the native gradients). */
export function installLeanSaves(backend: string): void {
  saveLess(backend, "Mean", { inputsToSave: [], outputsToSave: [] });
  saveLess(backend, "Reshape", { inputsToSave: [], outputsToSave: [] }, () => reshapeGrad);
  saveLess(backend, "Relu", { inputsToSave: [], outputsToSave: [true] });
  saveLess(
    backend,
    "Add",
    () => ({ inputsToSave: lastAddSameShapes ? [] : ["a", "b"], outputsToSave: [] }),
    addGrad,
  );
}

/**
 * The Reshape kernel of the cpu backend, recording its input's shape for the
 * gradient, and `add` (the native Add) noting whether its inputs share a shape.
 */
export function shapeRecordingKernels(
  add: (args: KernelArgs) => tf.TensorInfo,
): Record<string, (args: KernelArgs) => tf.TensorInfo> {
  return {
    Add(args) {
      const out = add(args);
      const { a, b } = args.inputs;
      lastAddSameShapes = a.shape.length === b.shape.length &&
        a.shape.every((d, i) => d === b.shape[i]);
      return out;
    },
    Reshape(args) {
      if (args.attrs) {
        (args.attrs as Record<string, unknown>)[INPUT_SHAPE_ATTR] = args.inputs.x.shape;
      }
      return cpuKernel1("Reshape", args);
    },
  };
}
