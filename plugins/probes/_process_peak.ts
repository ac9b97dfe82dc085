/**
 * The process's peak resident set size (its high-water mark), read where the
 * run's permissions allow: getrusage(2) through FFI on libc (where
 * `--allow-ffi` is granted, as the train and suite tasks grant it), else
 * `VmHWM` of /proc/self/status (Deno reads /proc only under `--allow-all`),
 * else nothing, with a note that says why.
 * @module
 */
import { libc } from "../../core/libc.ts";

/** A source of the process's peak RSS. */
export interface ProcessPeak {
  /** How it is read: `getrusage`, `VmHWM`, or `none`. */
  readonly source: "getrusage" | "VmHWM" | "none";
  /** Why there is no source (empty when there is one). */
  readonly note: string;
  /** The peak RSS of the process so far, in bytes; null without a source. */
  read(): number | null;
  /** Releases the library (getrusage). */
  close(): void;
}

// struct rusage on 64-bit Linux: two struct timeval (16 bytes each), then
// ru_maxrss as a long, in kibibytes; 144 bytes in all.
const RUSAGE_BYTES = 144, MAXRSS_OFFSET = 32, RUSAGE_SELF = 0;

function viaGetrusage(): ProcessPeak | string {
  if (Deno.build.os !== "linux") return `getrusage's ru_maxrss unit differs on ${Deno.build.os}`;
  // Bound before a command revokes FFI (backends/native/seal.ts), so it works after.
  const getrusage = libc()?.getrusage;
  if (getrusage === undefined) return "no --allow-ffi, or libc.so.6 did not load";
  if (getrusage === null) return "libc.so.6 has no getrusage";
  const buf = new Uint8Array(RUSAGE_BYTES);
  const view = new DataView(buf.buffer);
  return {
    source: "getrusage",
    note: "",
    read() {
      if (getrusage(RUSAGE_SELF, buf) !== 0) return null;
      return Number(view.getBigInt64(MAXRSS_OFFSET, true)) * 1024;
    },
    close: () => {}, // the C library stays bound for the process
  };
}

function readHwm(): number | null {
  const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(Deno.readTextFileSync("/proc/self/status"));
  return m ? Number(m[1]) * 1024 : null;
}

function viaProc(): ProcessPeak | string {
  try {
    if (readHwm() === null) return "/proc/self/status has no VmHWM";
  } catch (e) {
    return `/proc/self/status is not readable (${(e as Error).name})`;
  }
  return { source: "VmHWM", note: "", read: readHwm, close: () => {} };
}

/**
 * Opens the first source of the process's peak RSS that works here.
 *
 * @example
 * ```ts
 * import { openProcessPeak } from "./_process_peak.ts";
 * const peak = openProcessPeak();
 * console.log(peak.source === "none" ? peak.note : peak.read()! > 0);
 * peak.close();
 * ```
 */
export function openProcessPeak(): ProcessPeak {
  const ffi = viaGetrusage();
  if (typeof ffi !== "string") return ffi;
  const proc = viaProc();
  if (typeof proc !== "string") return proc;
  return {
    source: "none",
    note: `process peak RSS unavailable: getrusage: ${ffi}; VmHWM: ${proc}`,
    read: () => null,
    close: () => {},
  };
}
