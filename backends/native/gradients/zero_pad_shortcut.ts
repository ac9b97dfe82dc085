/**
 * The gradient of the zero-padding shortcut kernel (`core/zero_pad_shortcut.ts`,
 * `layers/zero_pad_shortcut.ts`): one call of its gradient kernel, which only
 * the native backend has (`../kernels/conv2d.ts`).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  ZERO_PAD_SHORTCUT_GRAD_KERNEL,
  ZERO_PAD_SHORTCUT_KERNEL,
} from "../../../core/zero_pad_shortcut.ts";

/** Registers the gradient of {@link ZERO_PAD_SHORTCUT_KERNEL} (native kernels only). */
export function installZeroPadShortcutGradient(): void {
  tf.registerGradient({
    kernelName: ZERO_PAD_SHORTCUT_KERNEL,
    gradFunc: (dy, _saved, attrs) => ({
      x: () =>
        tf.engine().runKernel(
          ZERO_PAD_SHORTCUT_GRAD_KERNEL,
          { dy: dy as tf.Tensor },
          attrs,
        ) as tf.Tensor,
    }),
  });
}
