/**
 * Choosing the numeric precision of a run's convolutions for the active
 * backend: `fp32`, `bf16`, or `auto` (bf16 only where the CPU has AMX-BF16 and
 * oneDNN a bf16 convolution; AVX512-BF16 alone measured little gain). Only the
 * native backend has a bf16 path; asking any other backend, or a CPU without
 * those instructions, for `bf16` is an error before training starts.
 *
 * @module
 */
import {
  NATIVE_BACKEND,
  NATIVE_BF16_KERNELS,
  type Precision,
  PRECISIONS,
  resolvePrecision,
  setNativePrecision,
  tryRegisterNative,
} from "./native/mod.ts";

/** What {@link selectPrecision} chose. */
export interface PrecisionInfo {
  /** What the convolutions compute in. */
  readonly precision: "fp32" | "bf16";
  /** One line for the run log, e.g. `precision fp32 (auto: this CPU … has neither …)`. */
  readonly reason: string;
  /** oneDNN's implementation of a ResNet 3x3 convolution in that precision; null off native. */
  readonly convImplementation: string | null;
}

/**
 * Resolves `requested` for `backend` (the active tfjs backend's name) and, on
 * native, makes its convolutions compute in the result. `setting` names the
 * request in messages.
 *
 * @throws {RangeError} when `requested` is not one of fp32, bf16, auto
 * @throws {Error} for `bf16` where it cannot run, naming the setting, the
 *   CPU's instruction set and the rule
 *
 * @example
 * ```ts
 * import { selectPrecision } from "./precision.ts";
 * const { precision, reason } = await selectPrecision("auto", "cpu");
 * console.log(precision, reason); // fp32 precision fp32 (auto: backend 'cpu' computes in fp32 only)
 * ```
 */
export async function selectPrecision(
  requested: string,
  backend: string,
  setting = "'precision'",
): Promise<PrecisionInfo> {
  if (!(PRECISIONS as readonly string[]).includes(requested)) {
    throw new RangeError(`${setting} must be one of ${PRECISIONS.join(", ")}, got '${requested}'`);
  }
  const status = backend === NATIVE_BACKEND ? await tryRegisterNative() : undefined;
  if (status === undefined || !status.ok) {
    if (requested === "bf16") {
      throw new Error(
        `${setting} is 'bf16', which only the native backend (oneDNN) computes in, on a CPU ` +
          `with AMX-BF16 or AVX512-BF16; backend '${backend}' computes in fp32: use 'fp32' or 'auto'`,
      );
    }
    const why = requested === "auto"
      ? `auto: backend '${backend}' computes in fp32 only`
      : "requested";
    return { precision: "fp32", reason: `precision fp32 (${why})`, convImplementation: null };
  }
  const choice = resolvePrecision(
    requested as Precision,
    status.bf16Support,
    status.bf16Conv,
    NATIVE_BF16_KERNELS,
    setting,
  );
  setNativePrecision(choice.precision);
  const convImplementation = choice.precision === "bf16" ? status.bf16Conv : status.conv;
  return { ...choice, convImplementation };
}
