/**
 * Initialisation schemes: the kernel and bias initialisers and batch-norm
 * hyperparameters each framework uses by default, so a model can be built the
 * way the paper's framework (Keras) builds it, the way PyTorch does, or with
 * skiplab's original He-normal choice. Every initialiser is seeded.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { ConfigDict, DataType, Tensor } from "../core/tf_types.ts";

/**
 * An initialisation scheme:
 * - `keras`: glorot-uniform kernels, zero biases, batch norm momentum 0.99, ε 1e-3
 *   (the Keras defaults; the paper's framework).
 * - `pytorch`: kaiming-uniform(a = √5) kernels, i.e. U(±1/√fan_in), biases
 *   U(±1/√fan_in), batch norm momentum 0.9 in Keras's convention (PyTorch's
 *   0.1), ε 1e-5 (the torch.nn defaults).
 * - `he`: He-normal convolution kernels, glorot-uniform dense kernels, zero
 *   biases, momentum 0.9, ε 1e-3 (skiplab's defaults before schemes existed).
 *   tfjs's He-normal truncates N(0, 2/fan_in) at 2σ without rescaling, so the
 *   kernels' std is 0.88·√(2/fan_in), not He's √(2/fan_in).
 */
export type InitScheme = "keras" | "pytorch" | "he";

/** The schemes, in documentation order. */
export const INIT_SCHEMES: readonly InitScheme[] = ["keras", "pytorch", "he"];

/** The scheme models use when none is chosen (kept so earlier runs rebuild identically). */
export const DEFAULT_INIT: InitScheme = "he";

/**
 * A tfjs weight initialiser, as `tf.initializers.*` return it. tfjs does not
 * export its `Initializer` class, so its public members are stated here;
 * tfjs's initialisers satisfy this and tfjs's layers accept it.
 */
export interface WeightInitializer {
  /** The name the initialiser is serialised under, e.g. `VarianceScaling`. */
  getClassName(): string;
  /** Its serialisable configuration. */
  getConfig(): ConfigDict;
  /** Whether deserialising it needs custom objects (false for tfjs's initialisers). */
  fromConfigUsesCustomObjects(): boolean;
  /** An initial value of `shape`. */
  apply(shape: (number | null)[], dtype?: DataType): Tensor;
}

/** Kernel and bias initialisers of one layer. */
export interface LayerInitializers {
  /** The kernel's initialiser. */
  readonly kernelInitializer: WeightInitializer;
  /** The bias's initialiser. */
  readonly biasInitializer: WeightInitializer;
}

/** Batch-norm hyperparameters (momentum in Keras's convention: the weight of the old moving value). */
export interface BatchNormSettings {
  /** Moving-statistics momentum. */
  readonly momentum: number;
  /** Added to the variance before its square root. */
  readonly epsilon: number;
}

const BATCH_NORM: Record<InitScheme, BatchNormSettings> = {
  keras: { momentum: 0.99, epsilon: 1e-3 },
  pytorch: { momentum: 0.9, epsilon: 1e-5 },
  he: { momentum: 0.9, epsilon: 1e-3 },
};

/** The scheme itself, or a RangeError naming the choices. */
export function checkInitScheme(scheme: string): InitScheme {
  if (!(INIT_SCHEMES as readonly string[]).includes(scheme)) {
    throw new RangeError(
      `Invalid init scheme: must be one of ${INIT_SCHEMES.join(", ")}, got '${scheme}'`,
    );
  }
  return scheme as InitScheme;
}

/**
 * Initialisers of a convolution or dense layer under a scheme.
 * @param fanIn Inputs per output unit (in channels × kernel area for a
 * convolution), which PyTorch's bias bound needs.
 * @param seed Seed of the layer; kernel and bias draw from distinct streams.
 * @example
 * ```ts
 * import { layerInitializers } from "./init.ts";
 * const init = layerInitializers("pytorch", "conv", 27, 1);
 * console.log(init.kernelInitializer.getClassName()); // VarianceScaling
 * ```
 */
export function layerInitializers(
  scheme: InitScheme,
  kind: "conv" | "dense",
  fanIn: number,
  seed: number,
): LayerInitializers {
  checkInitScheme(scheme);
  // tfjs treats a seed of 0 as "no seed", so shift by one; the bias stream is offset apart.
  const kernelSeed = seed + 1, biasSeed = seed + 1 + 1_000_003;
  switch (scheme) {
    case "keras":
      return {
        kernelInitializer: tf.initializers.glorotUniform({ seed: kernelSeed }),
        biasInitializer: tf.initializers.zeros(),
      };
    case "pytorch": {
      const bound = 1 / Math.sqrt(fanIn);
      return {
        // kaiming_uniform(a=√5): gain² = 2/(1+5) = 1/3, bound √(3·gain²/fan_in) = 1/√fan_in.
        kernelInitializer: tf.initializers.varianceScaling({
          scale: 1 / 3,
          mode: "fanIn",
          distribution: "uniform",
          seed: kernelSeed,
        }),
        biasInitializer: tf.initializers.randomUniform({
          minval: -bound,
          maxval: bound,
          seed: biasSeed,
        }),
      };
    }
    case "he":
      return {
        kernelInitializer: kind === "conv"
          ? tf.initializers.heNormal({ seed: kernelSeed })
          : tf.initializers.glorotUniform({ seed: kernelSeed }),
        biasInitializer: tf.initializers.zeros(),
      };
  }
}

/** Batch-norm momentum and epsilon under a scheme. */
export function batchNormSettings(scheme: InitScheme): BatchNormSettings {
  return BATCH_NORM[checkInitScheme(scheme)];
}
