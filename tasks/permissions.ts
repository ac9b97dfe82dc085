/**
 * What a command may touch, and the `deno run` flags that grant exactly that.
 * Each command works out its {@linkcode Permissions} from its parsed
 * arguments (tasks/commands/); the helpers here are the grants several
 * commands share: the data a source names, the files an experiment or a run
 * directory names (its data and plugin files), the data cache.
 * @module
 */
import { join, resolve } from "node:path";
import { CIFAR10_URL } from "../data/cifar10.ts";
import { RUN_FILES } from "../rundir/mod.ts";
import { readExperimentFile } from "../experiment/parse.ts";

/** Environment variables a command may read; any other is refused. */
export const ENV_VARS: readonly string[] = [
  // The data cache folder (data/cache_dir.ts).
  "SKIPLAB_DATA",
  "XDG_CACHE_HOME",
  "HOME",
  "USERPROFILE",
  "LOCALAPPDATA",
  // A queue worker's lock on the run directory its member writes (rundir/run_lock.ts).
  "SKIPLAB_RUN_LOCK",
  // Colour in terminal charts (analysis/line_chart.ts).
  "NO_COLOR",
  // OpenMP's wait policy, which the native backend chooses from the load unless one is set
  // (backends/native), and its switch to keep activations NHWC.
  "OMP_WAIT_POLICY",
  // Threads of OpenMP and the native backend: a sweep divides the cores between its workers.
  "OMP_NUM_THREADS",
  // A sweep worker's child stops when its standard input closes (sweep/child.ts).
  "SKIPLAB_SUPERVISED",
  "GOMP_SPINCOUNT",
  "KMP_BLOCKTIME",
  "SKIPLAB_NHWC",
  // The native backend's switch to keep every convolution direct (no Winograd).
  "SKIPLAB_WINOGRAD",
  // Opt-in: the native backend's thread count follows the free cores.
  "SKIPLAB_THREADS",
  // Which oneDNN library the native backend opens, and a conda environment it searches
  // (backends/native/onednn/search.ts).
  "SKIPLAB_DNNL",
  "CONDA_PREFIX",
  // Mesa's Vulkan driver under the webgpu backend (backends/webgpu.ts).
  "XDG_RUNTIME_DIR",
  // npm:yaml reads its debug switches whenever it parses.
  "LOG_TOKENS",
  "LOG_STREAM",
];

/**
 * The environment of a command that talks to the job queue: all of it, since
 * `debug` (loaded by the Redis client, ioredis) lists every variable when it
 * loads, looking for its `DEBUG_*` options.
 */
export const ALL_ENV: readonly string[] = ["*"];

/** What a command may touch. Paths are absolute. */
export interface Permissions {
  /** Files and folders it may read (with everything below them). */
  readonly read: readonly string[];
  /** Files and folders it may write. */
  readonly write: readonly string[];
  /** Hosts it may connect to (`host`, `host:port`). */
  readonly net: readonly string[];
  /** Environment variables it may read ({@linkcode ALL_ENV}: every one). */
  readonly env: readonly string[];
  /** Whether it may load native libraries (the oneDNN backend). */
  readonly ffi: boolean;
  /** Programs it may start. */
  readonly run: readonly string[];
  /** System information it may read (`cpus`: the CPU model and load; `hostname`). */
  readonly sys: readonly string[];
}

/** Where a command runs. */
export interface Where {
  /** The project folder (holding deno.json, the sources and node_modules). */
  readonly root: string;
  /** The working folder, against which relative paths on the command line resolve. */
  readonly cwd: string;
  /** The data cache folder, or undefined when none is known. */
  readonly cacheDir: string | undefined;
}

/** Nothing: the start of every command's permissions. */
export const NONE: Permissions = {
  read: [],
  write: [],
  net: [],
  env: ENV_VARS,
  ffi: false,
  run: [],
  sys: [],
};

const URL_LIKE = /^[a-z][a-z0-9+.-]*:/i;
const NAMED_SOURCES = ["cifar10", "synthetic"];

/** The folders and hosts a data source (`--data`, `data.source`) reads. */
export function dataGrants(source: string | undefined, where: Where): {
  read: string[];
  net: string[];
} {
  const cifarHost = new URL(CIFAR10_URL).host;
  if (source === undefined || NAMED_SOURCES.includes(source)) {
    return { read: [], net: source === "synthetic" ? [] : [cifarHost] };
  }
  if (/^https?:\/\//i.test(source)) return { read: [], net: [new URL(source).host] };
  if (URL_LIKE.test(source)) return { read: [], net: [] }; // the loader refuses it, naming it
  return { read: [resolve(where.cwd, source)], net: [] };
}

/** What an experiment (a YAML file, a run's config.yaml) names that a run reads and writes. */
export interface ExperimentFiles {
  /** `data.source`, as written. */
  readonly data?: string;
  /** Plugin files, absolute. */
  readonly plugins: readonly string[];
  /** `out`, absolute, when the file sets it. */
  readonly out?: string;
  /** The files read: the file itself and the files it extends. */
  readonly files: readonly string[];
}

/**
 * The data source, plugin files and output folder an experiment file names,
 * read by the experiment module's own reader (one level of `extends`, plugin
 * paths resolved against the file naming them); `data.source` and `out`
 * resolve against `cwd`, as a run resolves them. A file that cannot be read
 * or parsed names nothing else: the command itself then reports it, with line
 * and column.
 */
export async function experimentFiles(file: string, cwd: string): Promise<ExperimentFiles> {
  let read;
  try {
    read = await readExperimentFile(resolve(file));
  } catch {
    return { plugins: [], files: [resolve(file)] };
  }
  const { value, sources } = read;
  const source = (value.data as { source?: unknown } | undefined)?.source;
  const data = typeof source !== "string"
    ? undefined
    : URL_LIKE.test(source) || NAMED_SOURCES.includes(source)
    ? source
    : resolve(cwd, source);
  const plugins = (Array.isArray(value.plugins) ? value.plugins : [])
    .map((p) => (p as { path?: unknown })?.path)
    .filter((path): path is string => typeof path === "string");
  return {
    data,
    plugins,
    out: typeof value.out === "string" ? resolve(cwd, value.out) : undefined,
    files: sources.flatMap((s) => s.file === undefined ? [] : [s.file]),
  };
}

/** The files a run directory's recorded experiment (its config.yaml) names. */
export function runFiles(runDir: string, cwd: string): Promise<ExperimentFiles> {
  return experimentFiles(join(runDir, RUN_FILES.config), cwd);
}

/** The host (and port) of a URL such as a queue's, or the text itself when it does not parse (the command reports it). */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** Adds `more` to `p`, each list without repeats. */
export function grant(p: Permissions, more: Partial<Permissions>): Permissions {
  const u = (a: readonly string[], b: readonly string[] = []) => [...new Set([...a, ...b])];
  return {
    read: u(p.read, more.read),
    write: u(p.write, more.write),
    net: u(p.net, more.net),
    env: more.env ?? p.env,
    ffi: more.ffi ?? p.ffi,
    run: u(p.run, more.run),
    sys: u(p.sys, more.sys),
  };
}

/**
 * The one host `--allow-import` names: port 0, which no server listens on, so
 * that no remote module can be imported (an empty list is an error in Deno 2).
 */
export const NO_IMPORT_HOST = "127.0.0.1:0";

/**
 * The `deno run` flags granting `p`, and nothing else.
 * @throws {RangeError} for a path holding a comma, which permission flags cannot carry.
 */
export function permissionFlags(p: Permissions): string[] {
  for (const path of [...p.read, ...p.write]) {
    if (path.includes(",")) {
      throw new RangeError(`Cannot scope permissions to '${path}': a path must not contain ','`);
    }
  }
  const list = (flag: string, xs: readonly string[]) =>
    xs.length ? [`${flag}=${xs.join(",")}`] : [];
  return [
    "--no-prompt",
    // Plugins are local files: a remote import (Deno allows deno.land, esm.sh,
    // raw.githubusercontent.com… by default, and a bare --deny-import keeps
    // them) is refused by allowing only a host and port nothing listens on.
    `--allow-import=${NO_IMPORT_HOST}`,
    ...list("--allow-read", p.read),
    ...list("--allow-write", p.write),
    ...list("--allow-net", p.net),
    ...(p.env.includes("*") ? ["--allow-env"] : list("--allow-env", p.env)),
    // Unscoped: a path-scoped grant refuses the pointer operations the native
    // backend needs, and libdnnl's own path binds libc's functions. The CLI
    // instead loads its libraries and revokes FFI before it imports any
    // plugin (tasks/cli.ts sealNative, backends/native/seal.ts).
    ...(p.ffi ? ["--allow-ffi"] : []),
    ...list("--allow-run", p.run),
    ...list("--allow-sys", p.sys),
  ];
}
