/**
 * A streaming reader of ustar/pax/GNU tar archives that extracts regular
 * files and folders only, rejecting every entry that could escape the target
 * folder (absolute paths, `..`, links, devices, FIFOs).
 */
import { dirname, join } from "node:path";
import { DataIntegrityError } from "./data_error.ts";

/** Options of {@linkcode extractTar}. */
export interface ExtractOptions {
  /** Name of the archive, for error messages. */
  readonly file: string;
  /** The most bytes all entries may add up to (guards against archive bombs). */
  readonly maxBytes: number;
}

const BLOCK = 512;
const decoder = new TextDecoder();

/** Pulls exact byte counts out of a stream of chunks. */
class Blocks {
  #reader: ReadableStreamDefaultReader<Uint8Array>;
  #chunk: Uint8Array = new Uint8Array(0);
  read = 0;
  constructor(stream: ReadableStream<Uint8Array>) {
    this.#reader = stream.getReader();
  }
  /** Up to `max` bytes (fewer only at the end of the stream, empty there). */
  async take(max: number): Promise<Uint8Array> {
    while (this.#chunk.length === 0) {
      const { done, value } = await this.#reader.read();
      if (done) return this.#chunk;
      this.#chunk = value;
    }
    const out = this.#chunk.subarray(0, max);
    this.#chunk = this.#chunk.subarray(out.length);
    this.read += out.length;
    return out;
  }
  /** Exactly `n` bytes, or fewer at the end of the stream. */
  async exact(n: number): Promise<Uint8Array> {
    const out = new Uint8Array(n);
    let at = 0;
    while (at < n) {
      const part = await this.take(n - at);
      if (part.length === 0) return out.subarray(0, at);
      out.set(part, at);
      at += part.length;
    }
    return out;
  }
  cancel(): Promise<void> {
    return this.#reader.cancel();
  }
}

const field = (h: Uint8Array, at: number, len: number): string => {
  const end = h.subarray(at, at + len).indexOf(0);
  return decoder.decode(h.subarray(at, end < 0 ? at + len : at + end));
};

function octal(h: Uint8Array, at: number, len: number, file: string): number {
  if (h[at] & 0x80) { // GNU base-256 for sizes of 8 GiB and more
    let v = 0;
    for (let i = at + 1; i < at + len; i++) v = v * 256 + h[i];
    return v;
  }
  const s = field(h, at, len).trim();
  if (!/^[0-7]*$/.test(s)) {
    throw new DataIntegrityError(file, `tar header field must be octal, got '${s}'`);
  }
  return s === "" ? 0 : parseInt(s, 8);
}

function checkHeader(h: Uint8Array, file: string): void {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : h[i];
  const stored = octal(h, 148, 8, file);
  if (sum !== stored) {
    throw new DataIntegrityError(
      file,
      `tar header checksum must be ${stored}, got ${sum} (corrupt archive)`,
    );
  }
}

/** `path` as segments if it stays inside the target folder. */
function safeSegments(path: string, file: string): string[] {
  const segments = path.split("/").filter((s) => s !== "" && s !== ".");
  if (
    path.startsWith("/") || /^[A-Za-z]:/.test(path) || path.includes("\\") || path.includes("\0") ||
    segments.includes("..") || segments.length === 0
  ) {
    throw new DataIntegrityError(file, `tar entry '${path}' must stay inside the target folder`);
  }
  return segments;
}

function paxRecords(data: Uint8Array): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of decoder.decode(data).split("\n")) {
    const m = /^\d+ ([^=]+)=(.*)$/s.exec(line);
    if (m) out.set(m[1], m[2]);
  }
  return out;
}

const LINK_TYPES: Record<string, string> = {
  "1": "hard link",
  "2": "symbolic link",
  "3": "character device",
  "4": "block device",
  "6": "FIFO",
};

/**
 * Extracts the tar stream into `dir`, which must exist. Throws a
 * {@linkcode DataIntegrityError} naming the archive and the rule on an unsafe
 * entry, a corrupt header, an archive that ends inside an entry, or more than
 * `maxBytes` of content.
 */
export async function extractTar(
  stream: ReadableStream<Uint8Array>,
  dir: string,
  options: ExtractOptions,
): Promise<void> {
  const { file, maxBytes } = options;
  const blocks = new Blocks(stream);
  let total = 0, longName: string | undefined, pax = new Map<string, string>();
  try {
    for (;;) {
      const h = await blocks.exact(BLOCK);
      if (h.length === 0) return;
      if (h.length < BLOCK) {
        throw new DataIntegrityError(file, "tar archive must end on a 512-byte block");
      }
      if (h.every((b) => b === 0)) {
        // Read to the end so that the decompressor verifies its checksum.
        while ((await blocks.take(1 << 16)).length > 0) {
          if (blocks.read > maxBytes + (1 << 20)) {
            throw new DataIntegrityError(file, `archive must end after its last entry`);
          }
        }
        return;
      }
      checkHeader(h, file);
      const type = String.fromCharCode(h[156] || 48);
      const prefix = field(h, 345, 155);
      const name = pax.get("path") ?? longName ??
        (prefix ? `${prefix}/${field(h, 0, 100)}` : field(h, 0, 100));
      const size = pax.has("size") ? Number(pax.get("size")) : octal(h, 124, 12, file);
      if (type === "x" || type === "g" || type === "L") {
        if (size > 1 << 20) {
          throw new DataIntegrityError(file, `tar metadata entry must be under 1 MiB, got ${size}`);
        }
        const data = await blocks.exact(Math.ceil(size / BLOCK) * BLOCK);
        if (data.length < size) {
          throw new DataIntegrityError(file, "tar archive ends inside a metadata entry");
        }
        if (type === "x") pax = paxRecords(data.subarray(0, size));
        if (type === "L") longName = field(data, 0, size);
        continue;
      }
      pax = new Map();
      longName = undefined;
      if (LINK_TYPES[type]) {
        throw new DataIntegrityError(
          file,
          `tar entry '${name}' is a ${LINK_TYPES[type]}; only files and folders are allowed`,
        );
      }
      const target = join(dir, ...safeSegments(name, file));
      if (type === "5") {
        await Deno.mkdir(target, { recursive: true });
        continue;
      }
      if (type !== "0" && type !== "7") {
        throw new DataIntegrityError(
          file,
          `tar entry '${name}' has type '${type}'; only files and folders are allowed`,
        );
      }
      total += size;
      if (total > maxBytes) {
        throw new DataIntegrityError(
          file,
          `archive content must be at most ${maxBytes} bytes, got more`,
        );
      }
      await Deno.mkdir(dirname(target), { recursive: true });
      using out = await Deno.open(target, { write: true, create: true, truncate: true });
      let left = Math.ceil(size / BLOCK) * BLOCK, data = size;
      while (left > 0) {
        const part = await blocks.take(left);
        if (part.length === 0) {
          throw new DataIntegrityError(file, `tar archive ends inside entry '${name}'`);
        }
        const keep = part.subarray(0, Math.min(part.length, data));
        for (let w = 0; w < keep.length;) w += await out.write(keep.subarray(w));
        left -= part.length;
        data -= keep.length;
      }
    }
  } finally {
    await blocks.cancel().catch(() => {});
  }
}
