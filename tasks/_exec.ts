/**
 * Replaces the running process with another program (POSIX `execv`), so a
 * launcher leaves no parent behind: the program keeps the process id, the
 * terminal's signals, a `kill -9` and the exit code, exactly as if it had been
 * started directly.
 * @module
 */

const encoder = new TextEncoder();

function cString(s: string): Uint8Array<ArrayBuffer> {
  return encoder.encode(`${s}\0`);
}

/**
 * Runs `argv[0]` (an absolute path) with arguments `argv` in place of this
 * process; the environment is inherited. Returns only when the program could
 * not be started, by throwing.
 * @throws {Error} naming the program when `execv` fails, or on Windows, which has no `execv`.
 */
export function execReplace(argv: readonly string[]): never {
  if (Deno.build.os === "windows") {
    throw new Error(
      `Cannot start '${argv[0]}' in place of this process: Windows has no execv; ` +
        `run it yourself: deno ${argv.slice(1).join(" ")}`,
    );
  }
  const darwin = Deno.build.os === "darwin";
  const libc = Deno.dlopen(darwin ? "libSystem.B.dylib" : "libc.so.6", {
    execv: { parameters: ["buffer", "buffer"], result: "i32" },
    [darwin ? "__error" : "__errno_location"]: { parameters: [], result: "pointer" },
  });
  const strings = argv.map(cString);
  const pointers = new BigUint64Array(strings.length + 1); // NULL-terminated char*[]
  strings.forEach((s, i) => {
    pointers[i] = BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(s)));
  });
  libc.symbols.execv(strings[0], new Uint8Array(pointers.buffer));
  // execv returns only on failure; `strings` stayed referenced until here.
  const errnoAt = (libc.symbols as unknown as Record<string, () => Deno.PointerValue>)[
    darwin ? "__error" : "__errno_location"
  ]();
  const errno = errnoAt ? new Deno.UnsafePointerView(errnoAt).getInt32() : -1;
  throw new Error(`Cannot start '${argv[0]}': execv failed with errno ${errno}`);
}
