/**
 * The parameter-free shortcut of He et al. 2016 (§4.2, "option A"): where a
 * block halves the resolution and widens the channels, the shortcut takes
 * every second pixel of every second row and appends zero channels, so a
 * CIFAR ResNet and its plain counterpart have exactly the same weights.
 *
 * Where the active backend registers {@link ZERO_PAD_SHORTCUT_KERNEL} (skiplab's
 * native backend does, as a 1x1 convolution with a 0/1 filter on oneDNN, which
 * reads and writes its blocked layouts), the layer is that one kernel;
 * elsewhere it is built from Reshape, Slice and PadV2 (whose gradients are
 * Slice and PadV2 again), kernels that every backend has; tfjs's StridedSlice
 * would be shorter but has no gradient. Both give the same values exactly.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { ConfigDict, Tensor } from "../core/tf_types.ts";
import { ZERO_PAD_SHORTCUT_KERNEL, type ZeroPadShortcutAttrs } from "../core/zero_pad_shortcut.ts";

/** Options of {@linkcode ZeroPadShortcut}. */
export interface ZeroPadShortcutArgs {
  /** Subsampling step: 1 keeps every pixel, 2 every second row and column. */
  readonly stride: number;
  /** Output channels (at least the input's); the extra ones are zeros. */
  readonly filters: number;
  /** Layer name, e.g. `stage2_block1_pad`. */
  readonly name?: string;
}

/**
 * A layer computing `pad(x[:, ::s, ::s, :], channels → filters)` on NHWC input.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { ZeroPadShortcut } from "./zero_pad_shortcut.ts";
 * const y = new ZeroPadShortcut({ stride: 2, filters: 32 }).apply(tf.ones([1, 8, 8, 16])) as tf.Tensor;
 * console.log(y.shape); // [1, 4, 4, 32]
 * ```
 */
export class ZeroPadShortcut extends tf.layers.Layer {
  /** Name under which the class is serialised. */
  static className = "SkiplabZeroPadShortcut";
  /** Subsampling step. */
  readonly stride: number;
  /** Output channels. */
  readonly filters: number;

  /** Makes the layer; throws RangeError for a stride other than 1 or 2 or a non-positive width. */
  constructor(args: ZeroPadShortcutArgs) {
    super({ name: args.name });
    if (args.stride !== 1 && args.stride !== 2) {
      throw new RangeError(
        `Cannot build "${args.name}": 'stride' must be 1 or 2, got ${args.stride}`,
      );
    }
    if (!Number.isInteger(args.filters) || args.filters < 1) {
      throw new RangeError(
        `Cannot build "${args.name}": 'filters' must be a positive integer, got ${args.filters}`,
      );
    }
    this.stride = args.stride;
    this.filters = args.filters;
  }

  /** Output shape: spatial sides divided by the stride (rounded up), `filters` channels. */
  override computeOutputShape(shape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = (Array.isArray(shape[0]) ? shape[0] : shape) as tf.Shape;
    const [n, h, w, c] = s;
    if (c !== null && c > this.filters) {
      throw new RangeError(
        `Cannot build "${this.name}": input has ${c} channels, more than 'filters' ${this.filters}`,
      );
    }
    const side = (v: number | null) => (v === null ? null : Math.ceil(v / this.stride));
    return [n, side(h), side(w), this.filters];
  }

  /** Subsamples and pads. */
  override call(inputs: Tensor | Tensor[]): Tensor {
    const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
    const [, , , channels] = x.shape;
    const copy = this.stride === 1 && this.filters === channels;
    if (!copy && x.dtype === "float32" && tf.getKernel(ZERO_PAD_SHORTCUT_KERNEL, tf.getBackend())) {
      const attrs: ZeroPadShortcutAttrs = {
        stride: this.stride,
        filters: this.filters,
        inputShape: x.shape,
      };
      return tf.engine().runKernel(ZERO_PAD_SHORTCUT_KERNEL, { x }, attrs as never) as Tensor;
    }
    return tf.tidy(() => {
      let y: tf.Tensor4D = x;
      const [, h, w, c] = x.shape;
      if (this.stride === 2) {
        // An odd side gets a zero row/column first, so the kept pixels are those of
        // a stride-2 "same" convolution (rows 0, 2, 4, …).
        if (h % 2 || w % 2) y = tf.pad(y, [[0, 0], [0, h % 2], [0, w % 2], [0, 0]]);
        const [h2, w2] = [Math.ceil(h / 2), Math.ceil(w / 2)];
        // [n·h2, 2, w2, 2·c]: row parity on axis 1, column parity in the channel block.
        y = y.reshape([-1, 2, w2, 2 * c]).slice([0, 0, 0, 0], [-1, 1, w2, c])
          .reshape([-1, h2, w2, c]);
      }
      if (this.filters > c) y = tf.pad(y, [[0, 0], [0, 0], [0, 0], [0, this.filters - c]]);
      return this.stride === 1 && this.filters === c ? tf.clone(y) : y;
    });
  }

  /** Serialisable configuration. */
  override getConfig(): ConfigDict {
    return { ...super.getConfig(), stride: this.stride, filters: this.filters };
  }
}
tf.serialization.registerClass(ZeroPadShortcut);
