/**
 * Loading code that skiplab does not ship and knows only at run time: a
 * user's plugin file (`--plugin ./probe.ts`, `path:` in an experiment) or an
 * opt-in package the user maps in their own deno.json (the tensorflow
 * backend).
 *
 * `deno publish` warns about every `import()` and `import.meta.resolve()`
 * whose argument it cannot read ahead, because it cannot rewrite it for the
 * published package; and it offers no way to mark one as intended
 * (denoland/deno#22594). These specifiers exist only at run time and must
 * resolve the user's way, not be rewritten, so both calls are made here in a
 * form that analysis does not read. Nothing else should need them: a module
 * skiplab ships is imported by a literal specifier.
 *
 * @module
 */

// The dynamic import, compiled at run time so that publishing never sees it.
// Bare specifiers still resolve through the import map, as any import() does.
const dynamicImport = new Function("specifier", "return import(specifier)") as (
  specifier: string,
) => Promise<Record<string, unknown>>;

/**
 * Imports the module `specifier` names, as `import(specifier)` would: a
 * `file:` URL, or a bare name the import map sends to a package.
 *
 * @example
 * ```ts
 * import { importAtRunTime } from "./runtime_import.ts";
 * const mod = await importAtRunTime(new URL("./rng.ts", import.meta.url).href);
 * console.log(typeof mod.Rng); // function
 * ```
 */
export function importAtRunTime(specifier: string): Promise<Record<string, unknown>> {
  return dynamicImport(specifier);
}

/**
 * Resolves `specifier` as `import.meta.resolve` does, through the import map,
 * without loading it.
 *
 * @throws {TypeError} when a bare name is not in the import map.
 * @example
 * ```ts
 * import { resolveAtRunTime } from "./runtime_import.ts";
 * console.log(resolveAtRunTime("node:path")); // node:path
 * ```
 */
export function resolveAtRunTime(specifier: string): string {
  const { resolve } = import.meta; // a plain call `import.meta.resolve(x)` is what publish reads
  return resolve(specifier);
}
