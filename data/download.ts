/**
 * Streams a URL to a file while hashing it, reporting progress, and failing
 * loudly when the server stops early.
 * @module
 */
import { createHash } from "node:crypto";
import { DataIntegrityError } from "./data_error.ts";
import { type Progress, progressReporter } from "./progress.ts";

/**
 * Downloads `url` into the new file `dest` and returns the content's md5
 * (hex). The caller removes `dest` on failure.
 *
 * @throws {DataIntegrityError} on an HTTP error status or a body shorter or
 *   longer than its Content-Length, or when the connection drops.
 * @example
 * ```ts ignore
 * import { downloadFile } from "./download.ts";
 * const md5 = await downloadFile("https://example.org/a.tar.gz", "/tmp/a.tar.gz");
 * ```
 */
export async function downloadFile(
  url: string,
  dest: string,
  onProgress?: (p: Progress) => void,
): Promise<string> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (e) {
    throw new DataIntegrityError(url, `download must connect, got ${(e as Error).message}`, {
      cause: e,
    });
  }
  if (!response.ok || !response.body) {
    await response.body?.cancel();
    throw new DataIntegrityError(url, `download must answer HTTP 200, got ${response.status}`);
  }
  const header = response.headers.get("content-length");
  const total = header === null ? undefined : Number(header);
  const report = progressReporter("download", url, total, onProgress ?? (() => {}));
  const hash = createHash("md5");
  let bytes = 0;
  using out = await Deno.open(dest, { write: true, createNew: true });
  try {
    for await (const chunk of response.body) {
      hash.update(chunk);
      for (let w = 0; w < chunk.length;) w += await out.write(chunk.subarray(w));
      bytes += chunk.length;
      report(bytes);
    }
  } catch (e) {
    throw new DataIntegrityError(
      url,
      `download dropped after ${bytes}${total === undefined ? "" : ` of ${total}`} bytes: ${
        (e as Error).message
      }`,
      { cause: e },
    );
  }
  if (total !== undefined && bytes !== total) {
    throw new DataIntegrityError(
      url,
      `download must deliver Content-Length ${total} bytes, got ${bytes}`,
    );
  }
  report(bytes, true);
  return hash.digest("hex");
}

/**
 * The md5 (hex) of a local file, read in a stream.
 *
 * @example
 * ```ts
 * import { md5File } from "./download.ts";
 * const path = await Deno.makeTempFile();
 * if (await md5File(path) !== "d41d8cd98f00b204e9800998ecf8427e") throw new Error();
 * await Deno.remove(path);
 * ```
 */
export async function md5File(path: string, onProgress?: (p: Progress) => void): Promise<string> {
  const { size } = await Deno.stat(path);
  const report = progressReporter("verify", path, size, onProgress ?? (() => {}));
  const hash = createHash("md5");
  let bytes = 0;
  // The readable stream closes the file when it ends or fails.
  for await (const chunk of (await Deno.open(path)).readable) {
    hash.update(chunk);
    bytes += chunk.length;
    report(bytes);
  }
  report(bytes, true);
  return hash.digest("hex");
}
