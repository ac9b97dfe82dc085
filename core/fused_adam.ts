/**
 * The contract of the fused Adam kernel, shared by the optimiser that calls it
 * (train/optimizer.ts) and the backends that implement it (backends/native).
 * @module
 */

/**
 * Name of the optional fused Adam kernel. A backend that registers it gets one
 * kernel call per variable instead of about ten elementwise ops. Inputs
 * `variable`, `m`, `v`, `grad` (float32, one shape); attributes
 * {@link FusedAdamAttrs}; outputs the new variable, `m` and `v`, computed as
 * the composed path does: `m' = β1·m + (1−β1)·g`, `v' = β2·v + (1−β2)·g²`,
 * `variable' = variable − stepSize·m'/(√v' + ε) − decay·variable`.
 * With the attribute `reuseState: 1` the caller promises to replace `m` and
 * `v` by the new ones and read the old ones no more (an optimiser's slots): a
 * backend may then write the new values into their memory (old and new then
 * share it, as Identity's input and output do).
 */
export const FUSED_ADAM_KERNEL = "SkiplabAdam";

/** Attributes of {@link FUSED_ADAM_KERNEL}. */
export interface FusedAdamAttrs {
  /** Decay rate of the first-moment estimate m, in [0, 1). */
  readonly beta1: number;
  /** Decay rate of the second-moment estimate v, in [0, 1). */
  readonly beta2: number;
  /** Added to √v' to keep the division finite. */
  readonly epsilon: number;
  /** `lr·√(1−β2^t)/(1−β1^t)`. */
  readonly stepSize: number;
  /** Decoupled weight decay times lr (0 for plain Adam). */
  readonly decay: number;
  /** 1: `m` and `v` may be overwritten with their new values (see the kernel); else 0. */
  readonly reuseState: number;
  /** Index signature so the attributes pass as a tfjs `NamedAttrMap`. */
  readonly [key: string]: number;
}
