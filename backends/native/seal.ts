/**
 * Loads every native library the process will use, then revokes FFI, so that
 * code imported afterwards (a plugin, a user's module) cannot open another:
 * `Deno.dlopen("libc.so.6", { system: … })` then throws NotCapable.
 *
 * What Deno 2.9 enforces, tried before this was written: symbols bound before
 * `Deno.permissions.revoke({ name: "ffi" })` stay callable, and every later
 * `Deno.dlopen` is refused. Scoping `--allow-ffi` to the libraries' paths
 * instead does not hold: `Deno.dlopen(<libdnnl path>, { system: … })` binds
 * libc's `system` through libdnnl's dependencies, and a scoped grant refuses
 * the pointer operations the backend needs. After the revocation the pointer
 * operations (`Deno.UnsafePointer*`) are refused too, so the binding reads
 * pointers through bound C functions (core/libc.ts), and the output pool
 * keeps JavaScript arrays instead of C memory (more peak memory). The command
 * line seals only before it imports a plugin file (core/user_code_guard.ts).
 * @module
 */
import { libc } from "../../core/libc.ts";
import { type NativeStatus, tryRegisterNative } from "./register.ts";

/** What {@link sealNativeLibraries} did. */
export interface Sealed {
  /** Whether FFI was granted and is now revoked. */
  readonly revoked: boolean;
  /** The native backend's status, as loaded before the revocation (null without FFI). */
  readonly native: NativeStatus | null;
}

/**
 * When FFI is granted: binds the C library, loads oneDNN (2.x or 3.x, as the
 * library search finds it) with OpenMP and registers the native backend, then
 * revokes FFI for the rest of the process. Without FFI it does nothing. A
 * missing oneDNN is not an error here: the status says why, as it would later.
 */
export async function sealNativeLibraries(): Promise<Sealed> {
  if (Deno.permissions.querySync({ name: "ffi" }).state !== "granted") {
    return { revoked: false, native: null };
  }
  libc();
  const native = await tryRegisterNative();
  await Deno.permissions.revoke({ name: "ffi" });
  return { revoked: true, native };
}
