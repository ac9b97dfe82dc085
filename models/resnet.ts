import * as tf from "@tensorflow/tfjs";
import type { LayersModel, SymbolicTensor } from "../core/tf_types.ts";
import {
  bottleneckBlock,
  classifierHead,
  convBnAct,
  DEFAULT_INIT,
  type InitScheme,
  residualBlock,
} from "../layers/mod.ts";
import type { ResNetSpec } from "./spec.ts";

/** Options of {@linkcode resnetSpec}: the few numbers that tell ResNets apart. */
export interface ResNetOptions {
  /** Name of the architecture. */
  readonly name: string;
  /** Blocks per stage, e.g. [2, 2, 2, 2] for ResNet-18. */
  readonly layers: readonly number[];
  /** Block type. @default "basic" */
  readonly block?: "basic" | "bottleneck";
  /** Width of the stem and the first stage; each later stage doubles it. @default 64 */
  readonly width?: number;
  /** Skip connections. @default true */
  readonly skip?: boolean;
  /** Number of classes. @default 10 */
  readonly classes?: number;
  /** Dropout before the classifier. @default 0.5 */
  readonly dropout?: number;
  /** Shortcut where stride or width change (see {@linkcode ResNetSpec}). @default "projection" */
  readonly shortcut?: "projection" | "zero_pad";
}

/**
 * A CIFAR-style ResNet spec: 3×3 stem without pooling, stages of doubling
 * width, the first stage at stride 1 and the others at stride 2.
 *
 * @example ResNet-18, and a wide variant in one line
 * ```ts
 * import { resnetSpec } from "./resnet.ts";
 * const resnet18 = resnetSpec({ name: "resnet18", layers: [2, 2, 2, 2] });
 * const wide = resnetSpec({ name: "wide_resnet18_2", layers: [2, 2, 2, 2], width: 128 });
 * console.log(resnet18.stages.length, wide.stem.filters); // 4 128
 * ```
 */
export function resnetSpec(options: ResNetOptions): ResNetSpec {
  const { name, layers, block = "basic", width = 64, skip = true, classes = 10, dropout = 0.5 } =
    options;
  const shortcut = options.shortcut ?? "projection";
  if (shortcut !== "projection" && shortcut !== "zero_pad") {
    throw new RangeError(
      `Cannot build "${name}": 'shortcut' must be 'projection' or 'zero_pad', got '${shortcut}'`,
    );
  }
  if (layers.length === 0 || layers.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new RangeError(
      `Cannot build "${name}": 'layers' must be non-empty positive integers, got [${layers}]`,
    );
  }
  return {
    family: "resnet",
    name,
    inputShape: [32, 32, 3],
    classes,
    dropout,
    batchNorm: true,
    block,
    skip,
    ...(shortcut !== "projection" && { shortcut }),
    stem: { filters: width, kernelSize: 3, stride: 1, pool: false },
    stages: layers.map((blocks, i) => ({
      filters: width * 2 ** i,
      blocks,
      stride: i === 0 ? 1 : 2,
    })),
  };
}

/**
 * Builds a residual network from its spec. Layers are named `stem_conv`,
 * `stage{s}_block{b}_conv1` … `_add`, `pool`, `dropout`, `predictions`.
 */
export function buildResNet(
  spec: ResNetSpec,
  seed = 0,
  init: InitScheme = DEFAULT_INIT,
): LayersModel {
  if (spec.stages.length === 0) {
    throw new RangeError(`Cannot build "${spec.name}": 'stages' must be non-empty, got []`);
  }
  const input = tf.input({ shape: [...spec.inputShape], name: "input" });
  let x = convBnAct(input, {
    filters: spec.stem.filters,
    kernelSize: spec.stem.kernelSize,
    strides: spec.stem.stride,
    batchNorm: spec.batchNorm,
    name: "stem",
    seed,
    init,
  });
  if (spec.stem.pool) {
    x = tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: "same", name: "stem_pool" })
      .apply(x) as SymbolicTensor;
  }
  const block = spec.block === "basic" ? residualBlock : bottleneckBlock;
  let s = seed + 1;
  spec.stages.forEach((stage, i) => {
    for (let b = 0; b < stage.blocks; b++) {
      x = block(x, {
        filters: stage.filters,
        stride: b === 0 ? stage.stride : 1,
        skip: spec.skip,
        batchNorm: spec.batchNorm,
        name: `stage${i + 1}_block${b + 1}`,
        seed: s += 4,
        init,
        shortcut: spec.shortcut,
      });
    }
  });
  const output = classifierHead(x, {
    classes: spec.classes,
    dropout: spec.dropout,
    seed: s + 4,
    init,
  });
  return tf.model({ inputs: input, outputs: output, name: spec.name });
}
