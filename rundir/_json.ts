/**
 * Reading a run directory's JSON files, before their schema is checked: regular
 * files only, bounded in size (a run directory may have been written elsewhere).
 * @module
 */
import { FILE_BOUNDS, FileBoundError, readBoundedText } from "../core/bounded_read.ts";

/**
 * The parsed contents of the JSON file at `path`.
 * @throws {Deno.errors.NotFound} when the file is missing (callers tell "not
 * there yet" from "damaged").
 * @throws {SyntaxError} naming the file when it is not valid JSON.
 * @throws {FileBoundError} for a FIFO, device or folder, or a file over 64 MiB.
 */
export async function readJsonFile(path: string): Promise<unknown> {
  try {
    return JSON.parse(await readBoundedText(path, FILE_BOUNDS.json, "run JSON"));
  } catch (e) {
    if (e instanceof Deno.errors.NotFound || e instanceof FileBoundError) throw e;
    throw new SyntaxError(`Cannot read '${path}': invalid JSON (${(e as Error).message})`);
  }
}
