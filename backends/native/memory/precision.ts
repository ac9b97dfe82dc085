/**
 * Which numeric precision a run may use on this CPU. bf16 runs only with bf16
 * instructions (AMX-BF16 or AVX512-BF16); oneDNN 2.6 offers no bf16
 * convolution at all on AVX2 CPUs. `auto` picks bf16 only where the CPU has
 * AMX and oneDNN a bf16 convolution: with AVX512-BF16 alone, bf16 measured at
 * most a quarter faster than fp32 (whose 3x3 layers run as Winograd
 * convolutions there), and whether it costs accuracy is not settled
 * (docs/5-backends.md, Precision). `bf16` runs wherever it can
 * and is an error that says why elsewhere; the chosen oneDNN implementation
 * can be named in a run's log ({@link convImplementation}).
 *
 * @module
 */
import type { Dnnl } from "../onednn/api.ts";
import { cpus } from "node:os";
import { ISA as ISA_V2 } from "../onednn/v2/ffi.ts";
import { ISA as ISA_V3 } from "../onednn/v3/ffi.ts";

/** A requested precision: fp32, bf16, or bf16 where the CPU has bf16 instructions. */
export type Precision = "fp32" | "bf16" | "auto";

/** The precisions accepted by {@link resolvePrecision}. */
export const PRECISIONS: readonly Precision[] = ["fp32", "bf16", "auto"];

/** What the CPU offers for bf16, as oneDNN sees it. */
export interface Bf16Support {
  /** AMX with bf16 tiles (oneDNN's `avx512_core_amx`). */
  readonly amxBf16: boolean;
  /** AVX512-BF16 instructions (oneDNN's `avx512_core_bf16` or better). */
  readonly avx512Bf16: boolean;
  /** The CPU's model name, for messages ("unknown" when the system does not say). */
  readonly model: string;
  /** oneDNN's name of the CPU's instruction set, e.g. `avx2` or `avx512_core_amx`. */
  readonly isa: string;
}

// dnnl_cpu_isa_t values differ between API generations (AMX is 0x3e7 in 2.6, 0xfef in 3.x);
// each ISA's bits include those of the ISAs below it, so "has X" is "isa & X === X".
const ISAS = { 2: ISA_V2, 3: ISA_V3 } as const;

/**
 * oneDNN's name of a `dnnl_cpu_isa_t` value of API `generation`, e.g. `avx2`;
 * hex for values it does not list.
 */
export function isaName(isa: number, generation: 2 | 3 = 2): string {
  const found = Object.entries(ISAS[generation]).find(([, v]) => v === isa);
  return found?.[0] ?? `isa 0x${isa.toString(16)}`;
}

/**
 * The bf16 support that oneDNN's effective ISA `isa` (a `dnnl_cpu_isa_t` of
 * API `generation`, `dnnl_get_effective_cpu_isa()`) implies on a CPU called `model`.
 */
export function bf16SupportOfIsa(isa: number, model: string, generation: 2 | 3 = 2): Bf16Support {
  const has = (bits: number) => (isa & bits) === bits;
  const table = ISAS[generation];
  return {
    amxBf16: has(table.avx512_core_amx),
    avx512Bf16: has(table.avx512_core_bf16),
    model,
    isa: isaName(isa, generation),
  };
}

/**
 * What this CPU offers for bf16, asked of oneDNN (which reads CPUID and the OS's
 * AMX permission itself), so no /proc access is needed: Deno allows reading
 * /proc only under --allow-all.
 */
export function cpuBf16Support(dnnl: Dnnl): Bf16Support {
  return bf16SupportOfIsa(dnnl.isa(), cpuModel(), dnnl.generation);
}

function cpuModel(): string {
  try {
    return cpus()[0]?.model?.trim() || "unknown";
  } catch {
    return "unknown"; // --allow-sys=cpus not granted
  }
}

/**
 * Whether the native backend's kernels have a bf16 path: its convolutions do
 * (bf16 data and filters reordered from the fp32 tensors, fp32 results, fp32
 * master weights; see `../kernels/conv2d_primitives.ts`). Matrix products stay fp32 (the
 * dense head is a fraction of a percent of a CNN's step).
 */
export const NATIVE_BF16_KERNELS = true;

let active: "fp32" | "bf16" = "fp32";

/** Makes the native convolutions compute in `precision` from their next call. */
export function setNativePrecision(precision: "fp32" | "bf16"): void {
  active = precision;
}

/** The precision the native convolutions compute in. */
export function nativePrecision(): "fp32" | "bf16" {
  return active;
}

/** The precision a run uses, and why. */
export interface PrecisionChoice {
  /** What the kernels compute in. */
  readonly precision: "fp32" | "bf16";
  /** One line for the run log. */
  readonly reason: string;
}

/**
 * Resolves `requested` for a CPU with `support`, where oneDNN's bf16
 * convolution is `bf16Conv` (an implementation name, or null when oneDNN has
 * none here), with the backend's kernels able to compute in bf16 when
 * `bf16Kernels`. `setting` names where the request came from in messages.
 * Throws a RangeError naming the setting, the rule and the value for an
 * unknown precision, and an Error naming the setting, the CPU's instruction
 * set and the rule for `bf16` where it cannot run.
 */
export function resolvePrecision(
  requested: string,
  support: Bf16Support,
  bf16Conv: string | null,
  bf16Kernels: boolean = NATIVE_BF16_KERNELS,
  setting = "'precision'",
): PrecisionChoice {
  if (!(PRECISIONS as readonly string[]).includes(requested)) {
    throw new RangeError(
      `${setting} must be one of ${PRECISIONS.join(", ")}, got '${requested}'`,
    );
  }
  const has = [support.amxBf16 && "AMX-BF16", support.avx512Bf16 && "AVX512-BF16"]
    .filter(Boolean).join(" and ");
  const missing = has === ""
    ? `this CPU (${support.model}, oneDNN ISA ${support.isa}) has neither ` +
      "(oneDNN reports no avx512_core_bf16 or amx ISA)"
    : bf16Conv === null
    ? `this CPU (${support.isa}) has ${has}, but this oneDNN offers no bf16 convolution on it`
    : !bf16Kernels
    ? `this CPU (${support.isa}) has ${has} and oneDNN ${bf16Conv}, ` +
      "but skiplab's native kernels have no bf16 path yet"
    : null;
  if (requested === "fp32") return { precision: "fp32", reason: "precision fp32 (requested)" };
  if (requested === "auto") {
    if (missing !== null) return { precision: "fp32", reason: `precision fp32 (auto: ${missing})` };
    return support.amxBf16
      ? { precision: "bf16", reason: `precision bf16 (auto: ${has}, conv ${bf16Conv})` }
      : {
        precision: "fp32",
        reason: `precision fp32 (auto: ${has} without AMX, where bf16 measured at most a ` +
          "quarter faster than fp32; ask for 'bf16' to use it)",
      };
  }
  if (missing !== null) {
    throw new Error(
      `${setting} is 'bf16', which needs bf16 kernels on a CPU with AMX-BF16 or AVX512-BF16: ` +
        `${missing}; use 'fp32', or 'auto' to take bf16 only where it runs`,
    );
  }
  return { precision: "bf16", reason: `precision bf16 (requested: ${has}, conv ${bf16Conv})` };
}

/**
 * The name of the implementation oneDNN chooses for a ResNet-sized 3x3
 * convolution (batch 64, 64 to 64 channels, 32x32, training) with bf16 data
 * and fp32 output, e.g. `brgconv:avx512_core_amx_bf16`; null when oneDNN has
 * no bf16 convolution on this CPU. (What runs the fp32 one, oneDNN's or
 * skiplab's Winograd, is `convRunsAs` in `../kernels/conv2d.ts`.)
 */
export function bf16ConvImplementation(dnnl: Dnnl): string | null {
  const E = dnnl.E;
  const md = (shape: number[], type: number) => dnnl.memoryDesc(shape, E.tagAny, type);
  const geo = { strides: [1, 1], dilates: [0, 0], padL: [1, 1], padR: [1, 1] };
  let pd: Deno.PointerValue;
  try {
    pd = dnnl.convForward(
      E.forwardTraining,
      md([64, 64, 32, 32], E.bf16),
      md([64, 64, 3, 3], E.bf16),
      null,
      md([64, 64, 32, 32], E.f32),
      geo,
    );
  } catch {
    return null;
  }
  const text = dnnl.implName(pd);
  dnnl.destroyPd(pd);
  return text;
}
