/**
 * Where the native backend looks for oneDNN, in order. `SKIPLAB_DNNL`
 * names one library and nothing else is tried. Otherwise, per platform:
 *
 * | platform | tried |
 * |---|---|
 * | any, in a conda environment | `$CONDA_PREFIX/lib/libdnnl.so.3` (`.3.dylib`; `Library\bin\dnnl.dll` on Windows) |
 * | Linux | `libdnnl.so.3` (Ubuntu 24.04 `libdnnl3`, a source build), `libdnnl.so.3.6` (Debian 13 `libdnnl3.6`), `libdnnl.so.2` (Debian 12 `libdnnl2`, Ubuntu 22.04), `libdnnl.so` (a `-dev` package's link) |
 * | macOS | Homebrew on Apple silicon (`/opt/homebrew/lib`), then on Intel (`/usr/local/lib`): `libdnnl.3.dylib`, `libdnnl.dylib`; then `libdnnl.3.dylib` and `libdnnl.2.dylib` by the loader's search |
 * | Windows | `dnnl.dll` by the loader's search (the program's folder, then `PATH`) |
 *
 * Bare names go to the system's loader (its cache and `LD_LIBRARY_PATH` /
 * `DYLD_LIBRARY_PATH` / `PATH`); paths are checked first, so a missing one
 * reads "not found" rather than a loader error. 3.x comes before 2.x: where
 * both are installed, the newer library is the one a user installed last.
 *
 * @module
 */

/** One place to try, and where that place comes from (for messages). */
export interface Candidate {
  /** A path, or a bare library name for the system loader. */
  readonly path: string;
  /** Where the candidate comes from, e.g. `Homebrew (Apple silicon)`. */
  readonly source: string;
}

/** What the search reads of the system; the real one is {@link systemSearchEnv}. */
export interface SearchEnv {
  readonly os: typeof Deno.build.os;
  /** An environment variable, undefined when unset (or unreadable). */
  env(name: string): string | undefined;
}

/** The variable that names a oneDNN library explicitly. */
export const DNNL_VARIABLE = "SKIPLAB_DNNL";

/** The candidates, in order, for the system `s` describes. */
export function dnnlCandidates(s: SearchEnv): Candidate[] {
  const explicit = s.env(DNNL_VARIABLE);
  if (explicit !== undefined && explicit !== "") return [{ path: explicit, source: DNNL_VARIABLE }];
  const out: Candidate[] = [];
  const conda = s.env("CONDA_PREFIX");
  if (conda !== undefined && conda !== "") {
    const path = s.os === "windows"
      ? `${conda}\\Library\\bin\\dnnl.dll`
      : `${conda}/lib/${s.os === "darwin" ? "libdnnl.3.dylib" : "libdnnl.so.3"}`;
    out.push({ path, source: "conda ($CONDA_PREFIX)" });
  }
  if (s.os === "darwin") {
    for (const [prefix, source] of [["/opt/homebrew", "Apple silicon"], ["/usr/local", "Intel"]]) {
      for (const name of ["libdnnl.3.dylib", "libdnnl.dylib"]) {
        out.push({ path: `${prefix}/lib/${name}`, source: `Homebrew (${source})` });
      }
    }
    out.push({ path: "libdnnl.3.dylib", source: "system loader" });
    out.push({ path: "libdnnl.2.dylib", source: "system loader" });
  } else if (s.os === "windows") {
    out.push({ path: "dnnl.dll", source: "PATH" });
  } else {
    out.push({ path: "libdnnl.so.3", source: "oneDNN 3.x (Ubuntu 24.04 libdnnl3)" });
    out.push({ path: "libdnnl.so.3.6", source: "oneDNN 3.x (Debian 13 libdnnl3.6)" });
    out.push({ path: "libdnnl.so.2", source: "oneDNN 2.x (Debian 12 libdnnl2, Ubuntu 22.04)" });
    out.push({ path: "libdnnl.so", source: "development link" });
  }
  return out;
}

/** Whether `path` is a bare name, left to the system loader's search. */
export function isBareName(path: string): boolean {
  return !/[\\/]/.test(path);
}

/** This process's system, reading variables where permitted. */
export function systemSearchEnv(): SearchEnv {
  return {
    os: Deno.build.os,
    env(name) {
      try {
        return Deno.env.get(name);
      } catch {
        return undefined; // without --allow-env for it, as if unset
      }
    },
  };
}

/**
 * The apt package of oneDNN for the distribution `/etc/os-release` (its text)
 * describes, or undefined for one not listed.
 */
export function aptPackage(osRelease: string | undefined): string | undefined {
  const field = (name: string) =>
    new RegExp(`^${name}="?([^"\n]*)"?$`, "m").exec(osRelease ?? "")?.[1];
  const id = field("ID"), version = Number(field("VERSION_ID"));
  if (id === "debian") return version >= 13 ? "libdnnl3.6" : version >= 12 ? "libdnnl2" : undefined;
  if (id === "ubuntu") return version >= 24 ? "libdnnl3" : version >= 22 ? "libdnnl2" : undefined;
  return undefined;
}

function readOsRelease(): string | undefined {
  try {
    return Deno.readTextFileSync("/etc/os-release");
  } catch {
    return undefined; // not Linux, or no --allow-read for it
  }
}

/**
 * The install command for oneDNN on `os`, for messages; on Linux, for the
 * distribution `osRelease` (the text of `/etc/os-release`) names.
 */
export function installHint(
  os: typeof Deno.build.os,
  osRelease: string | undefined = os === "linux" ? readOsRelease() : undefined,
): string {
  switch (os) {
    case "darwin":
      return "`brew install onednn` (or `conda install -c conda-forge onednn`)";
    case "windows":
      return "`conda install -c conda-forge onednn` and put its Library\\bin on PATH, " +
        "or set SKIPLAB_DNNL to dnnl.dll";
    default: {
      const apt = aptPackage(osRelease);
      return apt !== undefined
        ? `\`sudo apt-get install ${apt}\``
        : "`sudo apt-get install libdnnl2` (Debian 12, Ubuntu 22.04), `libdnnl3` (Ubuntu " +
          "24.04) or `libdnnl3.6` (Debian 13); `conda install -c conda-forge onednn`; or set " +
          "SKIPLAB_DNNL to a libdnnl.so";
    }
  }
}
