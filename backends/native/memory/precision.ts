/**
 * Which numeric precision a run may use on this CPU. bf16 pays off only with
 * bf16 instructions (AMX-BF16 or AVX512-BF16); oneDNN 2.6 offers no bf16
 * convolution at all on AVX2 CPUs. So `auto` picks bf16 only where the CPU
 * reports those flags and oneDNN has a bf16 convolution, `bf16` elsewhere is an
 * error that says why, and the chosen oneDNN implementation can be named in a
 * run's log ({@link convImplementation}).
 *
 * @module
 */
import { check, type Dnnl, E, outPointer, SIZE } from "../onednn/v2/ffi.ts";
import { cpus } from "node:os";
import { dims } from "../onednn/v2/primitives.ts";
import { cString } from "../../../core/libc.ts";

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

// dnnl_cpu_isa_t values (oneapi/dnnl/dnnl_types.h, oneDNN 2.6): each ISA's bits include those
// of the ISAs below it, so "has X" is "isa & X === X".
const ISA_AVX512_CORE_BF16 = 0xe7;
const ISA_AVX512_CORE_AMX = 0x3e7;
const ISA_NAMES: Record<number, string> = {
  0x1: "sse41",
  0x3: "avx",
  0x7: "avx2",
  0xf: "avx512_mic",
  0x1f: "avx512_mic_4ops",
  0x27: "avx512_core",
  0x67: "avx512_core_vnni",
  0xe7: "avx512_core_bf16",
  0x3e7: "avx512_core_amx",
  0x407: "avx2_vnni",
};

/** oneDNN's name of a `dnnl_cpu_isa_t` value, e.g. `avx2`; hex for values it does not list. */
export function isaName(isa: number): string {
  return ISA_NAMES[isa] ?? `isa 0x${isa.toString(16)}`;
}

/**
 * The bf16 support that oneDNN's effective ISA `isa` (a `dnnl_cpu_isa_t`,
 * `dnnl_get_effective_cpu_isa()`) implies on a CPU called `model`.
 */
export function bf16SupportOfIsa(isa: number, model: string): Bf16Support {
  const has = (bits: number) => (isa & bits) === bits;
  return {
    amxBf16: has(ISA_AVX512_CORE_AMX),
    avx512Bf16: has(ISA_AVX512_CORE_BF16),
    model,
    isa: isaName(isa),
  };
}

/**
 * What this CPU offers for bf16, asked of oneDNN (which reads CPUID and the OS's
 * AMX permission itself), so no /proc access is needed: Deno allows reading
 * /proc only under --allow-all.
 */
export function cpuBf16Support(dnnl: Dnnl): Bf16Support {
  return bf16SupportOfIsa(dnnl.lib.dnnl_get_effective_cpu_isa(), cpuModel());
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
    return missing === null
      ? { precision: "bf16", reason: `precision bf16 (auto: ${has}, conv ${bf16Conv})` }
      : { precision: "fp32", reason: `precision fp32 (auto: ${missing})` };
  }
  if (missing !== null) {
    throw new Error(
      `${setting} is 'bf16', which needs bf16 kernels on a CPU with AMX-BF16 or AVX512-BF16: ` +
        `${missing}; use 'fp32', or 'auto' to take bf16 only where it runs`,
    );
  }
  return { precision: "bf16", reason: `precision bf16 (requested: ${has}, conv ${bf16Conv})` };
}

const QUERY_IMPL_INFO_STR = 8; // dnnl_query_impl_info_str
const DT = { f32: E.f32, bf16: E.bf16 } as const;

/**
 * The name of the implementation oneDNN chooses for a ResNet-sized 3x3
 * convolution (batch 64, 64 to 64 channels, 32x32, training) with `dtype` data
 * and fp32 output, e.g. `jit:avx2` or `brgconv:avx512_core_amx_bf16`; null when
 * oneDNN has no implementation of it on this CPU.
 */
export function convImplementation(dnnl: Dnnl, dtype: "f32" | "bf16"): string | null {
  const md = (shape: number[], dt: number) => {
    const out = new Uint8Array(SIZE.memoryDesc);
    check(
      dnnl.lib.dnnl_memory_desc_init_by_tag(out, shape.length, dims(shape), dt, E.tagAny),
      `memory_desc_init_by_tag(${shape})`,
    );
    return out;
  };
  const desc = new Uint8Array(SIZE.convDesc);
  check(
    dnnl.lib.dnnl_dilated_convolution_forward_desc_init(
      desc,
      E.forwardTraining,
      E.convDirect,
      md([64, 64, 32, 32], DT[dtype]),
      md([64, 64, 3, 3], DT[dtype]),
      null,
      md([64, 64, 32, 32], E.f32),
      dims([1, 1]),
      dims([0, 0]),
      dims([1, 1]),
      dims([1, 1]),
    ),
    "convolution_forward_desc_init",
  );
  const cell = new BigUint64Array(1);
  if (dnnl.lib.dnnl_primitive_desc_create(cell, desc, null, dnnl.engine, null) !== 0) return null;
  const pd = outPointer(cell);
  const name = new BigUint64Array(1);
  check(dnnl.lib.dnnl_primitive_desc_query(pd, QUERY_IMPL_INFO_STR, 0, name), "query impl");
  const text = cString(outPointer(name));
  dnnl.lib.dnnl_primitive_desc_destroy(pd);
  return text;
}
