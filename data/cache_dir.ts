/**
 * Where skiplab keeps downloaded datasets.
 * @module
 */
import { join } from "node:path";

/**
 * The data cache folder: `$SKIPLAB_DATA` when set, else `skiplab` under the
 * user's cache folder (`$XDG_CACHE_HOME` or `~/.cache` on Linux,
 * `~/Library/Caches` on macOS, `%LOCALAPPDATA%` on Windows).
 *
 * @throws {TypeError} when no home or cache folder is known.
 * @example
 * ```ts
 * import { defaultCacheDir } from "./cache_dir.ts";
 * console.log(defaultCacheDir()); // e.g. /home/me/.cache/skiplab
 * ```
 */
export function defaultCacheDir(): string {
  const env = (name: string) => Deno.env.get(name) || undefined;
  const explicit = env("SKIPLAB_DATA");
  if (explicit) return explicit;
  const home = env("HOME") ?? env("USERPROFILE");
  const base = Deno.build.os === "windows"
    ? env("LOCALAPPDATA")
    : Deno.build.os === "darwin"
    ? home && join(home, "Library", "Caches")
    : env("XDG_CACHE_HOME") ?? (home && join(home, ".cache"));
  if (!base) {
    throw new TypeError("Cannot find a cache folder: set SKIPLAB_DATA or HOME, or pass cacheDir");
  }
  return join(base, "skiplab");
}
