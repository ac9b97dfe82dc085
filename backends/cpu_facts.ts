/**
 * What the processor is, as far as a backend's speed depends on it: its model
 * name and the vector instructions the kernels can use. Read from Deno (the
 * model, `--allow-sys=cpus`) and Linux's /proc/cpuinfo (the flags); whatever
 * the system does not tell is left out rather than guessed.
 * @module
 */
import { cpus } from "node:os";

/** The processor, in words a person and a cache key can both use. */
export interface CpuFacts {
  /** e.g. "AMD EPYC 7B13"; "unknown CPU" without `--allow-sys=cpus`. */
  readonly model: string;
  /** Logical processors the runtime sees. */
  readonly threads: number;
  /** The widest vector extensions the CPU reports, e.g. "avx2", "avx512f avx512_bf16"; "" when unknown. */
  readonly isa: string;
}

/** The vector extensions worth naming, widest last; the kernels choose among these. */
const ISA_FLAGS: readonly string[] = [
  "sse4_2",
  "avx",
  "avx2",
  "fma",
  "avx512f",
  "avx512_vnni",
  "avx512_bf16",
  "amx_bf16",
  "asimd",
  "sve",
];

/** Of `flags` (the `flags` or `Features` line of /proc/cpuinfo), the ones in {@link ISA_FLAGS}. */
export function isaOfFlags(flags: string): string {
  const have = new Set(flags.split(/\s+/));
  const named = ISA_FLAGS.filter((f) => have.has(f));
  // Name the widest family only: "avx2 fma" says more than "sse4_2 avx avx2 fma".
  const wide = named.filter((f) => f.startsWith("avx512") || f.startsWith("amx"));
  if (wide.length) return wide.join(" ");
  if (named.includes("avx2")) return named.filter((f) => f === "avx2" || f === "fma").join(" ");
  return named.slice(-1).join(" ");
}

let known: CpuFacts | undefined;

/**
 * The CPU's model, threads and vector extensions (read once per process).
 *
 * @example
 * ```ts
 * import { cpuFacts } from "./cpu_facts.ts";
 * const { model, isa } = cpuFacts();
 * console.log(`${model} (${isa || "ISA unknown"})`);
 * ```
 */
export function cpuFacts(): CpuFacts {
  if (known) return known;
  let model = "";
  try {
    model = cpus()[0]?.model.trim() ?? "";
  } catch {
    // No --allow-sys=cpus: /proc/cpuinfo may still say.
  }
  let info = "";
  try {
    info = Deno.readTextFileSync("/proc/cpuinfo");
  } catch {
    // Not Linux, or no read permission for it.
  }
  model ||= /^model name\s*:\s*(.+)$/m.exec(info)?.[1].trim() ?? "unknown CPU";
  const flags = /^(?:flags|Features)\s*:\s*(.+)$/m.exec(info)?.[1] ?? "";
  known = { model, threads: navigator.hardwareConcurrency, isa: isaOfFlags(flags) };
  return known;
}
