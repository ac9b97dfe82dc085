import * as tf from "@tensorflow/tfjs";
import type { ConfigDict, Tensor } from "../core/tf_types.ts";
import { Rng } from "../core/rng.ts";

/** Options of {@linkcode SeededDropout}. */
export interface SeededDropoutArgs {
  /** Fraction of inputs to drop while training, in [0, 1). */
  readonly rate: number;
  /** Seed of the layer's mask stream. @default 0 */
  readonly seed?: number;
  /** Layer name. */
  readonly name?: string;
}

/**
 * Dropout whose masks come from a seeded stream, so two runs with the same
 * seed drop the same units and a resumed run continues the same stream.
 * (tfjs's own dropout reuses one fixed mask when given a seed.)
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { SeededDropout } from "./seeded_dropout.ts";
 * const drop = new SeededDropout({ rate: 0.5, seed: 1 });
 * const y = drop.apply(tf.ones([2, 4]), { training: true }) as tf.Tensor;
 * y.dispose();
 * ```
 */
export class SeededDropout extends tf.layers.Layer {
  /** Name under which the class is serialised. */
  static className = "SkiplabSeededDropout";
  /** Drop rate. */
  readonly rate: number;
  /** The seed the layer started from. */
  readonly seed: number;
  #rng: Rng;

  /** Makes the layer; throws RangeError for a rate outside [0, 1). */
  constructor(args: SeededDropoutArgs) {
    super({ name: args.name });
    if (!(args.rate >= 0 && args.rate < 1)) {
      throw new RangeError(`Cannot build dropout: 'rate' must be in [0, 1), got ${args.rate}`);
    }
    this.rate = args.rate;
    this.seed = args.seed ?? 0;
    this.#rng = new Rng(this.seed);
  }

  /** Applies the mask when `kwargs.training` is true; identity otherwise. */
  override call(inputs: Tensor | Tensor[], kwargs: { training?: boolean }): Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    if (!kwargs.training || this.rate === 0) return tf.clone(x);
    // Never 0: tfjs treats a seed of 0 as "no seed".
    const seed = (this.#rng.nextUint32() >>> 1) + 1;
    return tf.tidy(() => {
      const keep = tf.randomUniform(x.shape, 0, 1, "float32", seed).greaterEqual(this.rate);
      return x.mul(keep.cast("float32")).div(1 - this.rate);
    });
  }

  /** The mask stream's state, for checkpoints. */
  getRngState(): number[] {
    return this.#rng.getState();
  }

  /** Restores the mask stream from {@linkcode SeededDropout.getRngState}. */
  setRngState(state: readonly number[]): void {
    this.#rng.setState(state);
  }

  /** Serialisable configuration. */
  override getConfig(): ConfigDict {
    return { ...super.getConfig(), rate: this.rate, seed: this.seed };
  }
}
tf.serialization.registerClass(SeededDropout);
