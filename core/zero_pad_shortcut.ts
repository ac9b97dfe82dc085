/**
 * The contract of the zero-padding shortcut kernel (He et al.'s option A),
 * shared by the layer that calls it (layers/zero_pad_shortcut.ts) and the
 * backends that implement it (backends/native).
 * @module
 */

/**
 * Kernel computing `pad(x[:, ::s, ::s, :], channels → filters)` of an NHWC
 * float32 `x`, exactly (every kept value copied, every added channel zero):
 * input `x`, attributes {@link ZeroPadShortcutAttrs}. The backend that
 * registers it also registers its gradient, {@link ZERO_PAD_SHORTCUT_GRAD_KERNEL}.
 */
export const ZERO_PAD_SHORTCUT_KERNEL = "SkiplabZeroPadShortcut";

/**
 * The gradient of {@link ZERO_PAD_SHORTCUT_KERNEL}: input `dy`, the same
 * attributes; output the input-shaped gradient (dy's first channels at the
 * kept pixels, zero elsewhere).
 */
export const ZERO_PAD_SHORTCUT_GRAD_KERNEL = "SkiplabZeroPadShortcutGrad";

/** Attributes of both kernels. */
export interface ZeroPadShortcutAttrs {
  /** Subsampling step: 1 or 2. */
  readonly stride: number;
  /** Output channels (at least the input's). */
  readonly filters: number;
  /** The input's shape `[n, h, w, c]`, which the gradient returns to. */
  readonly inputShape: readonly number[];
  /** Index signature so the attributes pass as a tfjs `NamedAttrMap`. */
  readonly [key: string]: number | readonly number[];
}
