/**
 * oneDNN's OpenMP threads: how many run a kernel, and how the idle ones wait,
 * both from the cores other processes leave free.
 *
 * A kernel's threads meet at the start and end of every parallel region, and
 * a training step has hundreds of regions with JavaScript in between. Idle
 * threads that sleep at once (OpenMP's passive policy) must be woken for each
 * region; spinning ones start at once. On 2 vCPUs of an AMD EPYC, resnet18's
 * training step ran about 30% faster spinning than passive on idle cores
 * (`deno task bench train`). When another process holds one of the cores,
 * though, a thread spinning for a partner that is not running eats the time
 * that partner needs: baseline_cnn then trained at 180–210 images/s spinning
 * with two threads, 300–340 on one thread, and 370 passive with two.
 *
 * So, unless the user chose a policy (`OMP_WAIT_POLICY`, `GOMP_SPINCOUNT`,
 * `KMP_BLOCKTIME`):
 * - When oneDNN loads, a 100 ms look at the CPUs decides: every wanted core
 *   free → threads spin (for {@link SPIN_COUNT} rounds, then sleep); else
 *   passive. The OpenMP runtime reads this once, as it loads.
 * - With `SKIPLAB_THREADS=follow-load`, spinning threads' count also follows
 *   the free cores: each time a kernel starts at least a second after the
 *   last look, the CPU time other processes took since then sets the count
 *   (one thread when another process holds a core, all of them again when it
 *   leaves). Primitives are cached per thread count, since oneDNN fixes a
 *   primitive's threads when it is created. It is opt-in because a thread
 *   count changes how oneDNN splits its sums (weight gradients, batch-norm
 *   statistics) and so the last bits of a run: with it, two runs of the same
 *   seed, or a resumed and an uninterrupted run, can differ by float
 *   rounding, where by default they are identical.
 *
 * "Other processes" is all CPU time the kernel counts (user, nice, system,
 * irq, from `node:os` `cpus()`, which needs `--allow-sys=cpus`) minus this
 * process's (`process.cpuUsage()`). Without the permission the threads wait
 * passively and their count stays fixed, as skiplab did before.
 *
 * @module
 */
import { cpus } from "node:os";
import process from "node:process";

/** How idle threads wait: as the user set it, spinning first, or sleeping at once. */
export type WaitPolicy = "user" | "spin" | "passive";

/**
 * Rounds an idle thread spins before it sleeps (libgomp's `GOMP_SPINCOUNT`;
 * its default is 300,000). Long enough to span the JavaScript between a
 * step's kernels, short enough that a finished training leaves no thread
 * spinning for long.
 */
export const SPIN_COUNT = 3_000_000;

/** Variables by which a user chooses the wait policy. */
const POLICY_VARIABLES = ["OMP_WAIT_POLICY", "GOMP_SPINCOUNT", "KMP_BLOCKTIME"] as const;

/** Milliseconds of CPU time at a moment: of every process, and of this one. */
export interface CpuSample {
  readonly at: number;
  readonly all: number;
  readonly own: number;
}

/** The CPU times now, or undefined where they cannot be read (no `--allow-sys=cpus`). */
export function sampleCpu(): CpuSample | undefined {
  try {
    let all = 0;
    for (const { times: t } of cpus()) all += t.user + t.nice + t.sys + t.irq;
    const own = process.cpuUsage();
    return { at: performance.now(), all, own: (own.user + own.system) / 1000 };
  } catch {
    return undefined;
  }
}

/** Cores that other processes kept busy on average between samples `a` and `b`. */
export function othersLoad(a: CpuSample, b: CpuSample): number {
  const wall = b.at - a.at;
  if (wall <= 0) return 0;
  return Math.max(0, (b.all - a.all - (b.own - a.own)) / wall);
}

/** Threads to run with when others keep `others` of `cores` cores busy; 1 to `wanted`. */
export function threadsForLoad(wanted: number, cores: number, others: number): number {
  return Math.max(1, Math.min(wanted, Math.round(cores - others)));
}

function userChosePolicy(): boolean {
  try {
    return POLICY_VARIABLES.some((k) => Deno.env.get(k) !== undefined);
  } catch {
    return false; // without --allow-env for them, nobody can have chosen through them
  }
}

/** The CPU count `cpus()` sees, or `navigator.hardwareConcurrency`. */
function coreCount(): number {
  try {
    return cpus().length || navigator.hardwareConcurrency || 1;
  } catch {
    return navigator.hardwareConcurrency || 1;
  }
}

/**
 * Decides how idle threads wait, from a `sampleMs` look at the CPUs when the
 * user chose nothing: spinning only when every one of `wanted` threads has a
 * free core.
 */
export async function chooseWaitPolicy(wanted: number, sampleMs = 100): Promise<WaitPolicy> {
  if (userChosePolicy()) return "user";
  if (wanted <= 1) return "spin"; // one thread never waits for a partner
  const a = sampleCpu();
  if (a === undefined) return "passive";
  await new Promise((done) => setTimeout(done, sampleMs));
  const b = sampleCpu()!;
  return threadsForLoad(wanted, coreCount(), othersLoad(a, b)) >= wanted ? "spin" : "passive";
}

/**
 * Sets the environment of `policy` while `open` loads the OpenMP runtime, then
 * restores it, so child processes (the benchmark's PyTorch peer) keep the
 * user's.
 */
export function withWaitPolicy<T>(policy: WaitPolicy, open: () => T): T {
  const [name, value] = policy === "spin"
    ? ["GOMP_SPINCOUNT", String(SPIN_COUNT)]
    : policy === "passive"
    ? ["OMP_WAIT_POLICY", "passive"]
    : [undefined, undefined];
  let set = false;
  if (name !== undefined) {
    try {
      Deno.env.set(name, value!);
      set = true;
    } catch {
      // Without --allow-env the runtime keeps its defaults.
    }
  }
  try {
    return open();
  } finally {
    if (set) Deno.env.delete(name!);
  }
}

const ompSymbols = {
  omp_get_max_threads: { parameters: [], result: "i32" },
  omp_set_num_threads: { parameters: ["i32"], result: "void" },
} as const satisfies Deno.ForeignLibraryInterface;

type Omp = Deno.DynamicLibrary<typeof ompSymbols>["symbols"];

/** Opens the OpenMP runtime oneDNN uses (libgomp, or libomp on macOS), undefined if another. */
export function openOmp(pin: (name: string) => void): Omp | undefined {
  const names = Deno.build.os === "darwin" ? ["libomp.dylib", "libgomp.1.dylib"] : ["libgomp.so.1"];
  for (const name of names) {
    try {
      const omp = Deno.dlopen(name, ompSymbols).symbols;
      pin(name);
      return omp;
    } catch {
      // The library may use a threading runtime other than this OpenMP.
    }
  }
  return undefined;
}

/** Whether the user opted in to a thread count that follows the load (`SKIPLAB_THREADS`). */
export function followsLoad(): boolean {
  try {
    return Deno.env.get("SKIPLAB_THREADS") === "follow-load";
  } catch {
    return false; // without --allow-env for it, the default
  }
}

let current: Threads | undefined;

/** The threads of the process's oneDNN, undefined before it opens. */
export function currentThreads(): Threads | undefined {
  return current;
}

/** The thread count of the process's oneDNN kernels now (0 before oneDNN opens). */
export function threadCount(): number {
  return current?.count ?? 0;
}

/** Makes `threads` the one {@link threadCount} reports (the opened oneDNN's). */
export function adoptThreads(threads: Threads): Threads {
  return current = threads;
}

/** Milliseconds between looks at the load, and the longest window one look trusts. */
const LOOK_EVERY_MS = 1000;
const TRUST_WINDOW_MS = 3000;

/**
 * The thread count of oneDNN's kernels: `wanted`, or fewer while other
 * processes hold cores and the threads spin. {@link tick} runs before every
 * primitive; {@link count} is part of every primitive's cache key.
 */
export class Threads {
  readonly wanted: number;
  readonly policy: WaitPolicy;
  readonly #cores: number;
  readonly #set: ((n: number) => void) | undefined;
  readonly #follows: boolean;
  #count: number;
  #window: CpuSample | undefined;
  #pinned = false;

  constructor(
    wanted: number,
    policy: WaitPolicy,
    omp: Omp | undefined,
    /** Follow the free cores ({@link followsLoad}); only spinning threads do. */
    follow = followsLoad(),
    cores = coreCount(),
  ) {
    this.wanted = wanted;
    this.policy = policy;
    this.#cores = cores;
    this.#set = omp && ((n) => omp.omp_set_num_threads(n));
    this.#set?.(wanted);
    this.#count = omp?.omp_get_max_threads() ?? wanted;
    // Fewer threads help only spinning ones: passive threads do not steal a partner's core.
    this.#follows = follow && policy === "spin" && this.#set !== undefined && wanted > 1;
    this.#window = this.#follows ? sampleCpu() : undefined;
  }

  /** Threads the next primitive runs on. */
  get count(): number {
    return this.#count;
  }

  /**
   * Looks at the load when a second has passed since the last look; a window
   * longer than three seconds (the process was idle, or a child ran) only
   * starts a new one.
   */
  tick(): void {
    const from = this.#window;
    if (from === undefined || this.#pinned || performance.now() - from.at < LOOK_EVERY_MS) return;
    const now = sampleCpu()!;
    this.#window = now;
    if (now.at - from.at > TRUST_WINDOW_MS) return;
    this.resize(threadsForLoad(this.wanted, this.#cores, othersLoad(from, now)));
  }

  /**
   * Runs the following primitives on `n` threads and stops following the
   * load; `undefined` follows it again (when the threads spin).
   */
  pin(n: number | undefined): void {
    this.#pinned = n !== undefined;
    if (n !== undefined) this.resize(n);
    else this.#window = this.#follows ? sampleCpu() : undefined;
  }

  /** Runs the following primitives on `n` threads. */
  resize(n: number): void {
    if (n === this.#count || this.#set === undefined) return;
    this.#set(n);
    this.#count = n;
  }
}
