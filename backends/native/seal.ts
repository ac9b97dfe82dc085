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
 * operations are refused too, so the backend reads pointers through bound C
 * functions (core/libc.ts) and keeps its outputs in JS arrays
 * (memory/buffers.ts).
 * @module
 */
import { libc } from "../../core/libc.ts";
import { dnnlLoaded, loadDnnl } from "./onednn/v2/ffi.ts";
import { chooseWaitPolicy } from "./onednn/threads.ts";
import { threadsWanted } from "./register.ts";

/** What {@link sealNativeLibraries} did. */
export interface Sealed {
  /** Whether FFI was granted and is now revoked. */
  readonly revoked: boolean;
  /** The oneDNN library loaded first, or why none was. */
  readonly dnnl: string;
}

/**
 * When FFI is granted: binds the C library and loads oneDNN with OpenMP (with
 * the wait policy the load calls for now), then revokes FFI for the rest of
 * the process. Without FFI it does nothing. A missing oneDNN is not an error
 * here: the native backend then reports it when asked for.
 */
export async function sealNativeLibraries(): Promise<Sealed> {
  if (Deno.permissions.querySync({ name: "ffi" }).state !== "granted") {
    return { revoked: false, dnnl: "no FFI permission" };
  }
  libc();
  let dnnl = "loaded";
  if (!dnnlLoaded()) {
    try {
      loadDnnl(await chooseWaitPolicy(threadsWanted()));
    } catch (e) {
      dnnl = (e as Error).message;
    }
  }
  await Deno.permissions.revoke({ name: "ffi" });
  return { revoked: true, dnnl };
}
