/**
 * Reading a file someone else may have made: only a regular file (a FIFO
 * would block the reader for ever, `/dev/zero` never ends), and no more than a
 * stated number of bytes, checked from its size before reading and again while
 * reading (a file that grows meanwhile). Every refusal names the file and the
 * bound.
 * @module
 */
import { UserError } from "./errors.ts";

/** A file refused before it is read: not a regular file, or larger than its bound. */
export class FileBoundError extends UserError {
  /** `"FileBoundError"`, as printed before the message. */
  override name = "FileBoundError";
}

/** Byte bounds of the files skiplab reads from a user, by kind. */
export const FILE_BOUNDS = {
  /** An image given to predict: 64 MiB. */
  image: 64 * 2 ** 20,
  /** An experiment, suite or sweep file, or a run's config.yaml: 1 MiB. */
  yaml: 2 ** 20,
  /** A CSV file of a run directory (history, predictions, tables): 256 MiB. */
  csv: 256 * 2 ** 20,
  /** A JSON file of a run directory (summary, checkpoint state, heartbeat): 64 MiB. */
  json: 64 * 2 ** 20,
} as const;

/**
 * Most alias expansions a YAML file may make (npm:yaml's `maxAliasCount`, its
 * own default, stated here so that errors can name it): a "billion laughs"
 * file, aliases of aliases, exceeds it long before it fills memory.
 */
export const MAX_YAML_ALIASES = 100;

/** `n` bytes in words, e.g. `64 MiB`. */
export function formatBytes(n: number): string {
  const units = ["bytes", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) (n /= 1024, i++);
  return `${i === 0 ? n : Number(n.toFixed(1))} ${units[i]}`;
}

/**
 * The bytes of `path`, a regular file of at most `maxBytes`; `what` names it
 * in errors (`image`, `experiment`).
 * @throws {FileBoundError} for a FIFO, device, socket or folder, or a file over `maxBytes`.
 * @throws {Deno.errors.NotFound} when there is no such file.
 */
export async function readBoundedFile(
  path: string,
  maxBytes: number,
  what: string,
): Promise<Uint8Array> {
  const info = await Deno.stat(path);
  if (!info.isFile) {
    const kind = info.isDirectory ? "a folder" : "not a regular file (a device, FIFO or socket)";
    throw new FileBoundError(`Cannot read ${what} '${path}': it is ${kind}`);
  }
  const tooLarge = (size: string) =>
    new FileBoundError(
      `Cannot read ${what} '${path}': it holds ${size}; ${what} files are bounded at ${
        formatBytes(maxBytes)
      }`,
    );
  if (info.size > maxBytes) throw tooLarge(formatBytes(info.size));
  using file = await Deno.open(path, { read: true });
  // One byte past the size read: a file that grew meanwhile grows the buffer, up to the bound.
  let out = new Uint8Array(info.size + 1), at = 0;
  for (;;) {
    if (at === out.length) {
      if (at > maxBytes) throw tooLarge(`more than ${formatBytes(maxBytes)}`);
      const grown = new Uint8Array(Math.min(out.length * 2, maxBytes + 1));
      grown.set(out);
      out = grown;
    }
    const n = await file.read(out.subarray(at));
    if (n === null) return out.subarray(0, at);
    at += n;
  }
}

/** The text of `path` (UTF-8), bounded as {@linkcode readBoundedFile} bounds its bytes. */
export async function readBoundedText(
  path: string,
  maxBytes: number,
  what: string,
): Promise<string> {
  return new TextDecoder().decode(await readBoundedFile(path, maxBytes, what));
}
