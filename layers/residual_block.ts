import * as tf from "@tensorflow/tfjs";
import type { SymbolicTensor } from "../core/tf_types.ts";
import { batchNormLayer, inChannels } from "./conv_bn_act.ts";
import { conv2dLayer } from "./conv2d.ts";
import { DEFAULT_INIT, type InitScheme, layerInitializers } from "./init.ts";
import { ZeroPadShortcut } from "./zero_pad_shortcut.ts";

/**
 * How a block's shortcut matches a change of stride or width: a 1×1
 * convolution with batch norm (`projection`, He et al.'s option B), or
 * subsampling and zero channels without weights (`zero_pad`, option A).
 */
export type ShortcutMatch = "projection" | "zero_pad";

/** Options of {@linkcode residualBlock}. */
export interface ResidualBlockOptions {
  /** Output channels. */
  readonly filters: number;
  /** Stride of the first convolution (2 halves the resolution). @default 1 */
  readonly stride?: number;
  /** The shortcut; false removes it and its projection entirely. @default true */
  readonly skip?: boolean;
  /** Batch normalisation after each convolution. @default true */
  readonly batchNorm?: boolean;
  /** Prefix of the layer names, e.g. `stage2_block1`. */
  readonly name: string;
  /** Seed of the kernel initialisers. @default 0 */
  readonly seed?: number;
  /** Initialisers and batch-norm settings. @default "he" */
  readonly init?: InitScheme;
  /** The shortcut where stride or width change. @default "projection" */
  readonly shortcut?: ShortcutMatch;
}

/** Which shortcut a block has. */
export type ShortcutKind = "identity" | ShortcutMatch | "none";

/**
 * The shortcut a block gets: identity when shapes match, `match` (a 1×1
 * projection by default, or zero padding) when the stride or the width
 * changes, none without skips.
 */
export function shortcutKind(
  inChannels: number,
  filters: number,
  stride: number,
  skip: boolean,
  match: ShortcutMatch = "projection",
): ShortcutKind {
  if (!skip) return "none";
  return stride === 1 && inChannels === filters ? "identity" : match;
}

/**
 * The basic residual block: two 3×3 conv–BN with ReLU between, the shortcut
 * added, ReLU. Layers are named `${name}_conv1`, `_bn1`, `_relu1`, `_conv2`,
 * `_bn2`, `_proj_conv`, `_proj_bn` (or `_pad` for a zero-padding shortcut), `_add`, `_out`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { residualBlock } from "./residual_block.ts";
 * const x = tf.input({ shape: [32, 32, 64] });
 * const y = residualBlock(x, { filters: 128, stride: 2, name: "stage2_block1" });
 * console.log(y.shape); // [null, 16, 16, 128]
 * ```
 */
export function residualBlock(
  x: SymbolicTensor,
  options: ResidualBlockOptions,
): SymbolicTensor {
  const { filters, stride = 1, skip = true, batchNorm = true, name, seed = 0 } = options;
  const init = options.init ?? DEFAULT_INIT;
  checkBlock(name, filters, stride);
  const conv = (t: SymbolicTensor, strides: number, suffix: string, s: number) =>
    conv2d(t, filters, 3, strides, batchNorm, `${name}_${suffix}`, s, init);
  let y = conv(x, stride, "conv1", seed);
  if (batchNorm) y = batchNormLayer(`${name}_bn1`, init).apply(y) as SymbolicTensor;
  y = tf.layers.reLU({ name: `${name}_relu1` }).apply(y) as SymbolicTensor;
  y = conv(y, 1, "conv2", seed + 1);
  if (batchNorm) y = batchNormLayer(`${name}_bn2`, init).apply(y) as SymbolicTensor;
  y = addShortcut(x, y, filters, stride, skip, batchNorm, name, seed + 2, init, options.shortcut);
  return tf.layers.reLU({ name: `${name}_out` }).apply(y) as SymbolicTensor;
}

/** Options of {@linkcode bottleneckBlock}: as the basic block, output width `4 × filters`. */
export type BottleneckBlockOptions = ResidualBlockOptions;

/**
 * The bottleneck block: 1×1 reduce, 3×3 (strided), 1×1 expand to
 * `4 × filters`, each with BN; shortcut added; ReLU. Names as the basic block
 * plus `_conv3`/`_bn3`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { bottleneckBlock } from "./residual_block.ts";
 * const x = tf.input({ shape: [8, 8, 64] });
 * console.log(bottleneckBlock(x, { filters: 16, name: "b" }).shape); // [null, 8, 8, 64]
 * ```
 */
export function bottleneckBlock(
  x: SymbolicTensor,
  options: BottleneckBlockOptions,
): SymbolicTensor {
  const { filters, stride = 1, skip = true, batchNorm = true, name, seed = 0 } = options;
  const init = options.init ?? DEFAULT_INIT;
  checkBlock(name, filters, stride);
  const out = filters * 4;
  let y = x;
  const steps: [number, number, number][] = [[filters, 1, 1], [filters, 3, stride], [out, 1, 1]];
  steps.forEach(([width, kernel, strides], i) => {
    y = conv2d(y, width, kernel, strides, batchNorm, `${name}_conv${i + 1}`, seed + i, init);
    if (batchNorm) y = batchNormLayer(`${name}_bn${i + 1}`, init).apply(y) as SymbolicTensor;
    if (i < 2) y = tf.layers.reLU({ name: `${name}_relu${i + 1}` }).apply(y) as SymbolicTensor;
  });
  y = addShortcut(x, y, out, stride, skip, batchNorm, name, seed + 3, init, options.shortcut);
  return tf.layers.reLU({ name: `${name}_out` }).apply(y) as SymbolicTensor;
}

function addShortcut(
  x: SymbolicTensor,
  y: SymbolicTensor,
  filters: number,
  stride: number,
  skip: boolean,
  batchNorm: boolean,
  name: string,
  seed: number,
  init: InitScheme,
  match: ShortcutMatch = "projection",
): SymbolicTensor {
  const kind = shortcutKind(inChannels(x), filters, stride, skip, match);
  if (kind === "none") return y;
  let shortcut = x;
  if (kind === "zero_pad") {
    shortcut = new ZeroPadShortcut({ stride, filters, name: `${name}_pad` })
      .apply(x) as SymbolicTensor;
  }
  if (kind === "projection") {
    shortcut = conv2d(x, filters, 1, stride, batchNorm, `${name}_proj_conv`, seed, init);
    if (batchNorm) {
      shortcut = batchNormLayer(`${name}_proj_bn`, init).apply(shortcut) as SymbolicTensor;
    }
  }
  // The residual: F(x) + x.
  return tf.layers.add({ name: `${name}_add` }).apply([y, shortcut]) as SymbolicTensor;
}

function conv2d(
  x: SymbolicTensor,
  filters: number,
  kernelSize: number,
  strides: number,
  batchNorm: boolean,
  name: string,
  seed: number,
  init: InitScheme,
): SymbolicTensor {
  return conv2dLayer({
    filters,
    kernelSize,
    strides,
    padding: "same",
    useBias: !batchNorm,
    ...layerInitializers(init, "conv", inChannels(x) * kernelSize ** 2, seed),
    name,
  }).apply(x) as SymbolicTensor;
}

function checkBlock(name: string, filters: number, stride: number): void {
  if (!Number.isInteger(filters) || filters < 1) {
    throw new RangeError(
      `Cannot build "${name}": 'filters' must be a positive integer, got ${filters}`,
    );
  }
  if (stride !== 1 && stride !== 2) {
    throw new RangeError(`Cannot build "${name}": 'stride' must be 1 or 2, got ${stride}`);
  }
}
