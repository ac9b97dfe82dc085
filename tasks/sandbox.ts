/**
 * The permissions each CLI command runs with, and the launcher that applies
 * them.
 *
 * `deno task train …` (likewise `suite`, `sweep`, `worker`, `models`, `report`,
 * `compare`, `evaluate`, `predict`, `export`, `serve`, and `bench`, which runs bench/main.ts)
 * starts this file under deno.json's permission set `cli`: read the working
 * folder, the variables that locate the data cache, and FFI for `execv`. It
 * works out the command's folders and replaces itself (same process, so
 * signals, `kill -9` and the exit code behave as if it were started directly)
 * with `deno run --no-prompt <scoped flags> tasks/cli.ts …`. A permission set
 * in deno.json cannot do this alone: its paths are fixed, while the cache
 * follows `$SKIPLAB_DATA`, `$XDG_CACHE_HOME` or `$HOME`, and the output
 * follows `--out`.
 * @module
 */
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { defaultCacheDir } from "../data/cache_dir.ts";
import { CIFAR10_URL } from "../data/cifar10.ts";
import { EVALUATIONS_DIR } from "../rundir/evaluation.ts";
import { execReplace } from "./_exec.ts";

/** Environment variables a command may read; any other is refused. */
export const ENV_VARS: readonly string[] = [
  // The data cache folder (data/cache_dir.ts).
  "SKIPLAB_DATA",
  "XDG_CACHE_HOME",
  "HOME",
  "USERPROFILE",
  "LOCALAPPDATA",
  // Colour in terminal charts (analysis/line_chart.ts).
  "NO_COLOR",
  // OpenMP's wait policy, which the native backend chooses from the load unless one is set
  // (backends/native/onednn/threads.ts), and its switch to keep activations NHWC
  // (backends/native/kernels/conv2d.ts).
  "OMP_WAIT_POLICY",
  // Threads of OpenMP and the native backend: a sweep divides the cores between its workers.
  "OMP_NUM_THREADS",
  // A sweep worker's child stops when its standard input closes (sweep/child.ts).
  "SKIPLAB_SUPERVISED",
  "GOMP_SPINCOUNT",
  "KMP_BLOCKTIME",
  "SKIPLAB_NHWC",
  // Opt-in: the native backend's thread count follows the free cores
  // (backends/native/onednn/threads.ts).
  "SKIPLAB_THREADS",
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
  /** Hosts it may connect to. */
  readonly net: readonly string[];
  /** Environment variables it may read ({@linkcode ALL_ENV}: every one). */
  readonly env: readonly string[];
  /** Whether it may load native libraries (the oneDNN backend). */
  readonly ffi: boolean;
  /** Programs it may start. */
  readonly run: readonly string[];
  /** System information it may read (`cpus`: the CPU model, and the load of the CPUs). */
  readonly sys?: readonly string[];
}

/** Where a command runs. */
export interface Where {
  /** The project folder (holding deno.json, the sources and node_modules). */
  readonly root: string;
  /** The working folder, against which relative paths on the command line resolve. */
  readonly cwd: string;
  /** The data cache folder, or undefined when none is known. */
  readonly cacheDir: string | undefined;
  /** The data source a run directory's config.yaml names, which `evaluate` reads without `--data`. */
  readonly runDataSource?: (runDir: string) => string | undefined;
}

/** Values of `--name v` and `--name=v` in `args`. */
function flagValues(args: readonly string[], name: string): string[] {
  const out: string[] = [];
  args.forEach((a, i) => {
    if (a === `--${name}` && i + 1 < args.length) out.push(args[i + 1]);
    else if (a.startsWith(`--${name}=`)) out.push(a.slice(name.length + 3));
  });
  return out;
}

const URL_LIKE = /^[a-z][a-z0-9+.-]*:/i;

/** Whether a command-line word names a file or folder (model names and numbers do not). */
function looksLikePath(word: string): boolean {
  if (word.startsWith("-") || URL_LIKE.test(word)) return false;
  return /[\\/]/.test(word) || word === "." || word === ".." ||
    /\.(ya?ml|json|[cm]?[jt]s|tar\.gz|tgz)$/i.test(word);
}

/**
 * The permissions of the CLI command `args` (`["train", "resnet18", "--out", "x"]`):
 *
 * - read: the project, the cache, the output folder and every path named on
 *   the command line (with an experiment file's folder, for the plugins it
 *   names; for `evaluate` without `--data`, the data its run's config.yaml
 *   names);
 * - write: for `train` and `suite`, the output folder (`--out`, default
 *   `runs`), the cache and a `--resume` folder; for `sweep`, the output
 *   folder and a sweep folder named; for `worker`, `--runs`; for `report`, the folders it
 *   re-renders; for `bench`, bench/results and the cache; for `evaluate`,
 *   the run's `evaluations/` and the cache; for `export`, its `--out`;
 *   nothing for `models`, `compare` and `predict`;
 * - network: for `train`, `suite`, `evaluate` and `bench`, the CIFAR-10 host
 *   and the host of a `--data` URL; for `sweep` and `worker`, the `--queue` host;
 * - FFI: for `train`, `suite`, `evaluate`, `predict` and `bench`, which may
 *   pick the native backend;
 * - programs: for `bench`, the PyTorch peer's Python, `sh` and Deno; for `sweep`
 *   and `worker`, Deno, which trains each member under the permissions of
 *   `train --resume <member>`;
 * - environment: {@linkcode ENV_VARS}; all of it for `worker` and `sweep --queue`
 *   ({@linkcode ALL_ENV}).
 *
 * An experiment file's `out:` outside these folders is refused at start; give
 * it with `--out`, or run `deno run` with flags of your own.
 * @throws {RangeError} for a path holding a comma, which permission flags cannot carry.
 */
export function commandPermissions(args: readonly string[], where: Where): Permissions {
  const [command, ...rest] = args;
  const at = (p: string) => resolve(where.cwd, p);
  if (command === "serve") return servePermissions(rest, where);
  const words = rest.flatMap((a) =>
    a.startsWith("--") && a.includes("=") ? [a.split("=")[1]] : [a]
  );
  // evaluate, predict and export name run directories and image files, which need no slash
  // or known extension to be paths: every word that is not a flag may be one.
  const uses = command === "evaluate" || command === "predict" || command === "export";
  // A report's folders are named as they are ("runs" too), not only when they look like paths.
  const named = words.filter((w) =>
    uses
      ? !w.startsWith("-") && !URL_LIKE.test(w)
      : command === "report"
      ? !w.startsWith("-")
      : looksLikePath(w)
  )
    .map(at);
  const runDir = uses
    ? rest.find((w, i) => !w.startsWith("-") && !rest[i - 1]?.startsWith("--"))
    : undefined;
  // Without --data, evaluate loads the data the run trained on, named only in its config.yaml.
  const runData = command === "evaluate" && runDir !== undefined &&
      flagValues(rest, "data").length === 0
    ? where.runDataSource?.(at(runDir))
    : undefined;
  const dataSources = [...flagValues(rest, "data"), ...(runData === undefined ? [] : [runData])];
  const dataPaths = runData !== undefined && !URL_LIKE.test(runData) &&
      !["cifar10", "synthetic"].includes(runData)
    ? [at(runData)]
    : [];
  const experiments = named.filter((p) => /\.ya?ml$/i.test(p)).map((p) => dirname(p));
  const cache = where.cacheDir === undefined ? [] : [resolve(where.cacheDir)];
  const trains = command === "train" || command === "suite";
  const bench = command === "bench";
  // A sweep and a worker train in child processes, each under `train --resume`'s permissions.
  const sweeps = command === "sweep", works = command === "worker";
  const runsDir = works ? flagValues(rest, "runs").map(at) : [];
  const out = trains || sweeps ? [at(flagValues(rest, "out").at(-1) ?? "runs")] : runsDir;
  const write = trains
    ? [...out, ...cache, ...flagValues(rest, "resume").map(at)]
    : sweeps
    ? [...out, ...named.filter((p) => !/\.ya?ml$/i.test(p)), ...flagValues(rest, "resume").map(at)]
    : works
    ? runsDir
    : bench
    ? [resolve(where.root, "bench/results"), ...cache]
    : command === "report"
    ? named
    : command === "evaluate"
    ? [...(runDir === undefined ? [] : [resolve(at(runDir), EVALUATIONS_DIR)]), ...cache]
    : command === "export"
    ? flagValues(rest, "out").map(at)
    : [];
  const hosts = trains || bench || command === "evaluate"
    ? [CIFAR10_URL, ...dataSources.filter((d) => /^https?:\/\//i.test(d))]
      .map((u) => new URL(u).host)
    : sweeps || works
    ? flagValues(rest, "queue").map((u) => new URL(u).host)
    : [];
  // bench/data.ts reads the machine's CIFAR-10 copy beside the project when it is there.
  const shared = bench ? [resolve(where.root, "../shared/data")] : [];
  const unique = (xs: string[]) => [...new Set(xs)];
  const native = trains || bench || command === "evaluate" || command === "predict";
  const perms: Permissions = {
    read: unique([where.root, ...cache, ...out, ...shared, ...named, ...experiments, ...dataPaths]),
    write: unique(write),
    net: unique(hosts),
    env: works || (sweeps && flagValues(rest, "queue").length) ? ALL_ENV : ENV_VARS,
    ffi: native,
    // The PyTorch peer (bench/peer.ts), sh for /proc/self and Deno for each measurement's own
    // process (bench/train_measure.ts). The members' `deno run` (sweep, worker).
    run: bench
      ? ["/usr/bin/python3", "python3", "sh", Deno.execPath()]
      : sweeps || works
      ? [Deno.execPath()]
      : [],
    // The CPU model summary.json records, and the load the native backend's threads follow
    // (backends/native/onednn/threads.ts).
    sys: native ? ["cpus"] : sweeps || works ? ["hostname"] : [],
  };
  for (const p of [...perms.read, ...perms.write]) {
    if (p.includes(",")) {
      throw new RangeError(`Cannot scope permissions to '${p}': a path must not contain ','`);
    }
  }
  return perms;
}

/**
 * The permissions of `serve [DIR] [--host H] [--port N]`: read DIR (default
 * `runs`) and the dashboard's own client files, listen on the bound host and
 * port (any port of that host for `--port 0`), and npm:yaml's two debug
 * variables; nothing else (no writes, no other host).
 */
function servePermissions(rest: readonly string[], where: Where): Permissions {
  const valued = new Set(["--host", "--port"]);
  const dirs = rest.filter((w, i) => !w.startsWith("-") && !(i > 0 && valued.has(rest[i - 1])));
  const host = flagValues(rest, "host").at(-1) ?? "127.0.0.1";
  const port = flagValues(rest, "port").at(-1) ?? "8080";
  const bound = host.includes(":") ? `[${host}]` : host;
  const perms: Permissions = {
    read: [resolve(where.cwd, dirs[0] ?? "runs"), resolve(where.root, "serve/client")],
    write: [],
    net: [port === "0" ? bound : `${bound}:${port}`],
    // npm:yaml (reading config.yaml) looks at its debug switches.
    env: ["LOG_TOKENS", "LOG_STREAM"],
    ffi: false,
    run: [],
  };
  if (perms.read.some((p) => p.includes(","))) {
    throw new RangeError(
      `Cannot scope permissions to '${perms.read[0]}': a path must not contain ','`,
    );
  }
  return perms;
}

/** The `deno run` flags granting `p`, and nothing else. */
export function permissionFlags(p: Permissions): string[] {
  const list = (flag: string, xs: readonly string[]) =>
    xs.length ? [`${flag}=${xs.join(",")}`] : [];
  return [
    "--no-prompt",
    ...list("--allow-read", p.read),
    ...list("--allow-write", p.write),
    ...list("--allow-net", p.net),
    ...(p.env.includes("*") ? ["--allow-env"] : list("--allow-env", p.env)),
    // Deno resolves a path-scoped --allow-ffi against the working folder and
    // opens that path, so libraries found by the loader (libdnnl.so.2, libc.so.6,
    // libgomp.so.1, whose folders differ between systems) need it unscoped.
    ...(p.ffi ? ["--allow-ffi"] : []),
    ...list("--allow-run", p.run),
    ...list("--allow-sys", p.sys ?? []),
  ];
}

/**
 * `data.source` of `runDir/config.yaml`, when it can be read here (the
 * `evaluate` task grants the variables npm:yaml reads for this).
 */
function runDataSource(runDir: string): string | undefined {
  try {
    const source = (parse(Deno.readTextFileSync(`${runDir}/config.yaml`)) as {
      data?: { source?: unknown };
    })?.data?.source;
    return typeof source === "string" ? source : undefined;
  } catch {
    return undefined; // evaluate itself reports a run it cannot read
  }
}

function cacheDirOrNone(): string | undefined {
  try {
    return defaultCacheDir();
  } catch {
    return undefined; // no HOME: a run that needs the cache reports it
  }
}

if (import.meta.main) {
  const root = fileURLToPath(new URL("..", import.meta.url)).replace(/\/$/, "");
  try {
    const perms = commandPermissions(Deno.args, {
      root,
      cwd: Deno.cwd(),
      cacheDir: cacheDirOrNone(),
      runDataSource,
    });
    execReplace([
      Deno.execPath(),
      "run",
      `--config=${root}/deno.json`,
      ...permissionFlags(perms),
      ...(Deno.args[0] === "bench"
        ? [`${root}/bench/main.ts`, ...Deno.args.slice(1)]
        : [`${root}/tasks/cli.ts`, ...Deno.args]),
    ]);
  } catch (e) {
    console.error(`error: ${(e as Error).message}`);
    Deno.exit(2);
  }
}
