/**
 * The C library, bound once for the whole process, and pointer helpers that
 * work without FFI permission.
 *
 * A command that trains loads its native libraries first and then revokes
 * FFI (backends/native/seal.ts), so that a plugin cannot `Deno.dlopen`
 * anything. Deno keeps symbols bound before the revocation callable, but
 * refuses every `Deno.UnsafePointer*` operation afterwards (tried on Deno 2.9:
 * `UnsafePointer.create`, `.value`, `.of`, `UnsafePointerView.getCString`,
 * `.copyInto`, `.getArrayBuffer` all throw NotCapable). The helpers here do
 * the same through bound C functions instead: `memset(p, 0, 0)` writes nothing
 * and returns `p`, which turns an address into a pointer and back; `strlen`
 * and `memcpy` read a C string or a struct into a JS buffer.
 * @module
 */

const SYMBOLS = {
  aligned_alloc: { parameters: ["usize", "usize"], result: "pointer" },
  free: { parameters: ["pointer"], result: "void" },
  madvise: { parameters: ["pointer", "usize", "i32"], result: "i32", optional: true },
  // glibc only: elsewhere the allocator returns large blocks by itself.
  mallopt: { parameters: ["i32", "i32"], result: "i32", optional: true },
  getrusage: { parameters: ["i32", "buffer"], result: "i32", optional: true },
  dlopen: { parameters: ["buffer", "i32"], result: "pointer" },
  strlen: { parameters: ["pointer"], result: "usize" },
  memcpy: { parameters: ["buffer", "pointer", "usize"], result: "pointer" },
  pointerAt: { name: "memset", parameters: ["usize", "i32", "usize"], result: "pointer" },
  addressOf: { name: "memset", parameters: ["pointer", "i32", "usize"], result: "usize" },
  pointerOf: { name: "memset", parameters: ["buffer", "i32", "usize"], result: "pointer" },
} as const satisfies Deno.ForeignLibraryInterface;

/** The C library's functions this process uses. */
export type Libc = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];

let opened: Libc | null | undefined;

/** The C library (glibc's `libc.so.6`, macOS's libSystem), bound on first use; null where it cannot be. */
export function libc(): Libc | null {
  if (opened !== undefined) return opened;
  if (typeof Deno?.dlopen !== "function" || Deno.build.os === "windows") return opened = null;
  const names = Deno.build.os === "darwin" ? ["libSystem.B.dylib"] : ["libc.so.6", "libc.so"];
  for (const name of names) {
    try {
      return opened = Deno.dlopen(name, SYMBOLS).symbols;
    } catch {
      // Try the next name; without FFI permission or any C library, none.
    }
  }
  // Not cached: FFI may be granted later (a test, a library user's own process).
  return null;
}

/** The pointer at `address` (null for 0), with or without FFI permission once the C library is bound. */
export function pointerAt(address: bigint): Deno.PointerValue {
  const c = libc();
  return c === null ? Deno.UnsafePointer.create(address) : c.pointerAt(address, 0, 0n);
}

/** The address `p` points at (0 for null). */
export function addressOf(p: Deno.PointerValue): bigint {
  const c = libc();
  if (c === null) return BigInt(Deno.UnsafePointer.value(p));
  return p === null ? 0n : BigInt(c.addressOf(p, 0, 0n));
}

/** The pointer to the first byte of `data` (as `Deno.UnsafePointer.of`). */
export function pointerOf(data: ArrayBufferView): Deno.PointerValue {
  const c = libc();
  return c === null ? Deno.UnsafePointer.of(data) : c.pointerOf(data as BufferSource, 0, 0n);
}

/** The NUL-terminated string at `p` (empty for null), read as UTF-8. */
export function cString(p: Deno.PointerValue): string {
  if (p === null) return "";
  const c = libc();
  if (c === null) return new Deno.UnsafePointerView(p).getCString();
  const bytes = new Uint8Array(Number(c.strlen(p)));
  c.memcpy(bytes, p, BigInt(bytes.byteLength));
  return new TextDecoder().decode(bytes);
}

/** Copies `into.byteLength` bytes from `p` into `into`. */
export function copyFrom(p: NonNullable<Deno.PointerValue>, into: ArrayBufferView): void {
  const c = libc();
  if (c === null) {
    return new Deno.UnsafePointerView(p).copyInto(
      new Uint8Array(into.buffer, into.byteOffset, into.byteLength),
    );
  }
  c.memcpy(into as BufferSource, p, BigInt(into.byteLength));
}
