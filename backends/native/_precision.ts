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
import { check, type Dnnl, E, outPointer, SIZE } from "./_ffi.ts";
import { dims } from "./_dnnl.ts";

/** A requested precision: fp32, bf16, or bf16 where the CPU has bf16 instructions. */
export type Precision = "fp32" | "bf16" | "auto";

/** The precisions accepted by {@link resolvePrecision}. */
export const PRECISIONS: readonly Precision[] = ["fp32", "bf16", "auto"];

/** What the CPU reports about bf16 instructions. */
export interface Bf16Support {
  /** `amx_bf16` is among the flags. */
  readonly amxBf16: boolean;
  /** `avx512_bf16` is among the flags. */
  readonly avx512Bf16: boolean;
  /** The CPU's model name, for messages ("unknown" when unreadable). */
  readonly model: string;
}

/**
 * The text of `/proc/cpuinfo`, or "" where there is none. Deno asks for
 * --allow-all to read /proc, so where that is refused `cat` reads it (the
 * train and suite tasks grant --allow-run).
 */
export function readCpuinfo(): string {
  try {
    return Deno.readTextFileSync("/proc/cpuinfo");
  } catch {
    try {
      const out = new Deno.Command("cat", { args: ["/proc/cpuinfo"], stdout: "piped" })
        .outputSync();
      return out.success ? new TextDecoder().decode(out.stdout) : "";
    } catch {
      return "";
    }
  }
}

/** Reads the bf16 flags from `/proc/cpuinfo` text ({@link readCpuinfo} when not given). */
export function cpuBf16Support(text: string = readCpuinfo()): Bf16Support {
  const flags = new Set((/^flags\s*:(.*)$/m.exec(text)?.[1] ?? "").trim().split(/\s+/));
  const model = /^model name\s*:\s*(.*)$/m.exec(text)?.[1]?.trim() || "unknown";
  return { amxBf16: flags.has("amx_bf16"), avx512Bf16: flags.has("avx512_bf16"), model };
}

/**
 * Whether the native backend's convolution and matmul kernels have a bf16 path
 * (bf16 data, fp32 accumulation, fp32 master weights). They compute in fp32
 * only so far, so `bf16` is refused even where the CPU and oneDNN could run it.
 */
export const NATIVE_BF16_KERNELS = false;

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
 * `bf16Kernels`. Throws a RangeError naming the setting, the rule and the value
 * for an unknown precision, and an Error saying what is missing for `bf16`
 * where it cannot run.
 */
export function resolvePrecision(
  requested: string,
  support: Bf16Support,
  bf16Conv: string | null,
  bf16Kernels: boolean = NATIVE_BF16_KERNELS,
): PrecisionChoice {
  if (!(PRECISIONS as readonly string[]).includes(requested)) {
    throw new RangeError(
      `'precision' must be one of ${PRECISIONS.join(", ")}, got '${requested}'`,
    );
  }
  const has = [support.amxBf16 && "AMX-BF16", support.avx512Bf16 && "AVX512-BF16"]
    .filter(Boolean).join(" and ");
  const missing = has === ""
    ? `this CPU (${support.model}) has neither (no amx_bf16 or avx512_bf16 flag in /proc/cpuinfo)`
    : bf16Conv === null
    ? `this CPU has ${has}, but this oneDNN offers no bf16 convolution on it`
    : !bf16Kernels
    ? `this CPU has ${has} and oneDNN ${bf16Conv}, but skiplab's native kernels have no bf16 path yet`
    : null;
  if (requested === "fp32") return { precision: "fp32", reason: "precision fp32 (requested)" };
  if (requested === "auto") {
    return missing === null
      ? { precision: "bf16", reason: `precision bf16 (auto: ${has}, conv ${bf16Conv})` }
      : { precision: "fp32", reason: `precision fp32 (auto: ${missing})` };
  }
  if (missing !== null) {
    throw new Error(
      `precision 'bf16' needs bf16 kernels on a CPU with AMX-BF16 or AVX512-BF16: ${missing}; ` +
        `use 'fp32', or 'auto' to take bf16 only where it runs`,
    );
  }
  return { precision: "bf16", reason: `precision bf16 (requested: ${has}, conv ${bf16Conv})` };
}

const QUERY_IMPL_INFO_STR = 8; // dnnl_query_impl_info_str
const DT = { f32: E.f32, bf16: 2 } as const; // dnnl_bf16

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
  const text = new Deno.UnsafePointerView(outPointer(name)!).getCString();
  dnnl.lib.dnnl_primitive_desc_destroy(pd);
  return text;
}
