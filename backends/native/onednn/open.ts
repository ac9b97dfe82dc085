/**
 * Opens oneDNN, whichever C API generation it has. Each candidate of
 * `search.ts` is opened first with the one symbol every version has
 * (`dnnl_version`), so a library of the wrong generation is named by its
 * version rather than by the first symbol it lacks; then the 2.x or the 3.x
 * symbol table is bound (`v2/`, `v3/`), and the kernels see one interface
 * (`api.ts`). Every candidate's outcome is kept, for the message that says
 * why native cannot run.
 *
 * @module
 */
import type { Dnnl } from "./api.ts";
import { adoptThreads, openOmp, Threads, type WaitPolicy, withWaitPolicy } from "./threads.ts";
import {
  type Candidate,
  dnnlCandidates,
  isBareName,
  type SearchEnv,
  systemSearchEnv,
} from "./search.ts";
import { SYMBOLS as V2 } from "./v2/ffi.ts";
import { bindV2 } from "./v2/bind.ts";
import { SYMBOLS as V3 } from "./v3/ffi.ts";
import { bindV3 } from "./v3/bind.ts";
import { copyFrom, libc } from "../../../core/libc.ts";

/** What became of one candidate library. */
export interface Attempt extends Candidate {
  /** Why it was not used, e.g. `not found`, `missing symbol dnnl_sgemm`. */
  readonly outcome: string;
}

/** No oneDNN could be opened; {@link attempts} says what was tried and why each failed. */
export class DnnlNotFoundError extends Error {
  /** Every candidate, with its outcome. */
  readonly attempts: readonly Attempt[];

  constructor(attempts: readonly Attempt[]) {
    super(`no usable oneDNN: ${attempts.map((a) => `${a.path}: ${a.outcome}`).join("; ")}`);
    this.name = "DnnlNotFoundError";
    this.attempts = attempts;
  }
}

/** The oldest 3.x whose C API skiplab binds (Ubuntu 24.04's). */
export const MIN_V3_MINOR = 1;

/** Whether `path` exists: false when it does not, undefined when it cannot be asked. */
export function fileExists(path: string): boolean | undefined {
  try {
    Deno.statSync(path);
    return true;
  } catch (e) {
    return e instanceof Deno.errors.NotFound ? false : undefined;
  }
}

/** The reason in a dlopen error, short: `not found`, `missing symbol x`, or its first line. */
export function loadFailure(message: string): string {
  const symbol = /Failed to register symbol (\w+)/.exec(message);
  if (symbol !== null) return `missing symbol ${symbol[1]}`;
  if (/No such file|cannot find|not found|image not found|could not be found/i.test(message)) {
    return "not found";
  }
  return message.split("\n")[0].replace(/^Could not open library: /, "").slice(0, 160);
}

/**
 * Keeps a shared library mapped until the process exits. Deno closes an
 * isolate's libraries when it ends (a worker, a test module under --parallel);
 * oneDNN's OpenMP threads outlive that and would then jump into unmapped code.
 * A second dlopen with RTLD_NODELETE makes the unmapping never happen.
 */
function pinLibrary(name: string): void {
  if (Deno.build.os === "windows") return; // Windows has no RTLD_NODELETE; DLLs stay loaded
  const flags = 0x2 | (Deno.build.os === "darwin" ? 0x80 : 0x1000); // RTLD_NOW | RTLD_NODELETE
  // Without a C library to ask, the library is unloaded as usual at exit.
  libc()?.dlopen(new TextEncoder().encode(`${name}\0`), flags);
}

function readVersion(pointer: Deno.PointerValue): [number, number, number] {
  const version = new Int32Array(3);
  copyFrom(pointer!, version);
  return [version[0], version[1], version[2]];
}

/** Options of {@link openDnnl}: the system to search (tests pass a fake one). */
export interface OpenOptions {
  readonly env?: SearchEnv;
  readonly exists?: (path: string) => boolean | undefined;
}

/**
 * Opens the first usable oneDNN (2.x, or 3.1 and later) on `threads` OpenMP
 * threads waiting by `policy`, with its CPU engine and stream.
 *
 * @throws {DnnlNotFoundError} naming each candidate and why it failed
 */
export function openDnnl(threads: number, policy: WaitPolicy = "user", o: OpenOptions = {}): Dnnl {
  const attempts: Attempt[] = [];
  const exists = o.exists ?? fileExists;
  for (const c of dnnlCandidates(o.env ?? systemSearchEnv())) {
    const fail = (outcome: string) => attempts.push({ ...c, outcome });
    if (!isBareName(c.path) && exists(c.path) === false) {
      fail("not found");
      continue;
    }
    let version: [number, number, number];
    try {
      const probe = withWaitPolicy(
        policy,
        () => Deno.dlopen(c.path, { dnnl_version: { parameters: [], result: "pointer" } }),
      );
      version = readVersion(probe.symbols.dnnl_version());
    } catch (e) {
      fail(loadFailure((e as Error).message));
      continue;
    }
    const [major, minor, patch] = version;
    const text = `${major}.${minor}.${patch}`;
    if (major !== 2 && !(major === 3 && minor >= MIN_V3_MINOR)) {
      fail(`oneDNN ${text}; skiplab needs 2.x, or 3.${MIN_V3_MINOR} or newer`);
      continue;
    }
    let bind: (t: Threads) => Dnnl;
    try {
      if (major === 2) {
        const lib = Deno.dlopen(c.path, V2).symbols;
        bind = (t) => bindV2(lib, c.path, text, t);
      } else {
        const lib = Deno.dlopen(c.path, V3).symbols;
        bind = (t) => bindV3(lib, c.path, text, t);
      }
    } catch (e) {
      fail(`oneDNN ${text}: ${loadFailure((e as Error).message)}`);
      continue;
    }
    pinLibrary(c.path);
    return bind(adoptThreads(new Threads(threads, policy, openOmp(pinLibrary))));
  }
  throw new DnnlNotFoundError(attempts);
}
