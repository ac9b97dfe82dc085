/**
 * Content hashes of the files of a checkpoint, so that a file damaged on
 * disk (a bad sector, a partial copy, garbage of the right length) is caught
 * by name before a run resumes from it or a model is loaded from it.
 *
 * SHA-256 through `crypto.subtle`: built into Deno (no dependency), and fast
 * enough that a faster, weaker one (xxHash, through a WebAssembly package)
 * is not worth a dependency. Measured (AMD EPYC, 2 vCPUs shared with other
 * work): 135 MB in 0.30 s, about 0.45 GB/s, so a ResNet-18 checkpoint with
 * Adam (45 MB of weights, 90 MB of slots) costs 0.3 s more to write and to
 * check, once per epoch, beside minutes of training.
 * @module
 */

/** How a hash is written: `sha256:` and 64 hexadecimal digits. */
export const CONTENT_HASH = /^sha256:[0-9a-f]{64}$/;

/** The content hash of `bytes`, written as {@linkcode CONTENT_HASH} says. */
export async function contentHash(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>),
  );
  return `sha256:${Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}
