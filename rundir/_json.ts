/**
 * Reading a run directory's JSON files, before their schema is checked.
 * @module
 */

/**
 * The parsed contents of the JSON file at `path`.
 * @throws {Deno.errors.NotFound} when the file is missing (callers tell "not
 * there yet" from "damaged").
 * @throws {SyntaxError} naming the file when it is not valid JSON.
 */
export async function readJsonFile(path: string): Promise<unknown> {
  try {
    return JSON.parse(await Deno.readTextFile(path));
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) throw e;
    throw new SyntaxError(`Cannot read '${path}': invalid JSON (${(e as Error).message})`);
  }
}
