/**
 * Compiled oneDNN primitives executed on caller-owned typed arrays (no
 * copies), cached by key, over either API generation (`api.ts`).
 *
 * @module
 */
import { type Constant, type Dnnl, EXEC_ARG_BYTES, type Md, type Pd } from "./api.ts";
import { threadCount } from "./threads.ts";
import { addressOf } from "../../../core/libc.ts";

/** One argument of a primitive: its DNNL_ARG_* and memory descriptor. */
export interface ArgSpec {
  readonly arg: number;
  readonly md: Md;
  /** True for an argument the caller passes but this library's primitive does not take. */
  readonly skip?: boolean;
}

/**
 * A compiled primitive whose memory objects are re-pointed at each call.
 *
 * oneDNN keeps each data pointer from set_data_handle until the execute after
 * it, so the arrays must not move in between. Typed arrays do not under Deno:
 * its V8 keeps none inside the JS heap (Deno's FFI asserts
 * `TYPED_ARRAY_MAX_SIZE_IN_HEAP == 0`), and ArrayBuffer contents never move;
 * tests/backends/native/onednn/ffi_memory_test.ts checks both with collections forced
 * into that window.
 */
export class Primitive {
  readonly #dnnl: Dnnl;
  readonly #prim: Deno.PointerValue;
  /** Per buffer given to {@link execute}, its memory object (null: not passed on). */
  readonly #mems: (Deno.PointerValue | undefined)[] = [];
  readonly #args: Uint8Array;
  readonly #count: number;
  /** Kept alive while oneDNN reads them at every run. */
  readonly #constants: readonly Constant[];

  /**
   * `specs` are the arguments given at each {@link execute}; `constants` (an
   * attribute's, see `api.ts`) are passed at every run with fixed values.
   */
  constructor(dnnl: Dnnl, pd: Pd, specs: readonly ArgSpec[], constants: readonly Constant[] = []) {
    this.#dnnl = dnnl;
    this.#prim = dnnl.primitiveCreate(pd);
    this.#constants = constants;
    const passed = specs.filter((s) => !s.skip);
    this.#count = passed.length + constants.length;
    this.#args = new Uint8Array(EXEC_ARG_BYTES * this.#count);
    const view = new DataView(this.#args.buffer);
    const all: readonly (ArgSpec | Constant)[] = [...passed, ...constants];
    const mems = all.map((s, i) => {
      const mem = dnnl.memoryCreate(s.md, "data" in s ? s.data : undefined);
      view.setInt32(i * EXEC_ARG_BYTES, s.arg, true);
      view.setBigUint64(i * EXEC_ARG_BYTES + 8, addressOf(mem), true);
      return mem;
    });
    let next = 0;
    for (const s of specs) this.#mems.push(s.skip ? undefined : mems[next++]);
  }

  /** Runs the primitive on `buffers`, given in the order of the arg specs. */
  execute(buffers: readonly ArrayBufferView[]): void {
    const dnnl = this.#dnnl;
    dnnl.threads.tick();
    for (let i = 0; i < buffers.length; i++) {
      const mem = this.#mems[i];
      if (mem !== undefined) dnnl.setDataHandle(mem, buffers[i]);
    }
    dnnl.execute(this.#prim, this.#count, this.#args);
  }
}

/** Bytes of the memory a primitive descriptor wants for `query` (e.g. workspace); 0 if none. */
export function queryBytes(dnnl: Dnnl, pd: Pd, query: number): number {
  const md = dnnl.queryMd(pd, query);
  return md === null ? 0 : dnnl.mdBytes(md);
}

/** The memory descriptor a primitive descriptor chose for `query`; throws when it has none. */
export function queryMdOf(dnnl: Dnnl, pd: Pd, query: number): Md {
  const md = dnnl.queryMd(pd, query);
  if (md === null) throw new Error(`oneDNN reports no memory descriptor for query ${query}`);
  return md;
}

/** What runs a {@link Layered}'s pass: a {@link Primitive}, or another implementation of it. */
export interface Runner {
  execute(buffers: readonly ArrayBufferView[]): void;
  /** Its name, where it is not `pd`'s primitive. */
  readonly implementation?: string;
}

/** One argument of a {@link Layered} primitive. */
export interface LayeredArg {
  /** DNNL_ARG_* of the argument. */
  readonly arg: number;
  /** The caller's plain layout. */
  readonly plain: Md;
  /** dnnl_query_*_md that reports the layout the primitive chose, if it was left free. */
  readonly query?: number;
  /** True for results (reordered back to the plain layout after the run). */
  readonly output?: boolean;
  /**
   * True when the argument's blocked copy need not outlive the run (activations,
   * not weights reused by key): its scratch memory is shared by all primitives.
   */
  readonly transient?: boolean;
  /**
   * True for an output the primitive adds to (a sum post-op): the caller's
   * buffer holds the values to add to, and where the primitive writes a
   * blocked copy, they are reordered into it before the run.
   */
  readonly accumulate?: boolean;
  /**
   * A layout other than `plain` that holds the same bytes (the channel-blocked
   * layout whose block is all the channels, see `../memory/layout.ts`): where
   * the primitive chooses it, the argument is passed as it is, no reorder.
   */
  readonly alias?: Md;
}

/** Scratch memory of transient blocked copies, by slot, shared by every {@link Layered}. */
const sharedScratch: Uint8Array[] = [];

function scratchSlot(slot: number, bytes: number): Uint8Array {
  const have = sharedScratch[slot];
  if (have !== undefined && have.byteLength >= bytes) return have.subarray(0, bytes);
  // Grown to the largest size asked for; primitives run one at a time.
  sharedScratch[slot] = new Uint8Array(bytes);
  return sharedScratch[slot];
}

/**
 * A primitive whose free ("any") arguments live in oneDNN's preferred blocked
 * layouts: plain inputs are reordered in before the run, outputs out after it.
 */
export class Layered {
  readonly #main: Runner;
  readonly #steps: {
    reorder: Primitive;
    /** For an `accumulate` output: the reorder of the caller's values into the blocked copy. */
    fill?: Primitive;
    scratch?: Uint8Array;
    bytes: number;
    slot: number;
    index: number;
    output: boolean;
    /** Identity of the input last reordered into `scratch`. */
    last?: object;
  }[] = [];
  readonly #buffers: ArrayBufferView[];
  /**
   * Per argument, the blocked layout the primitive chose for a transient
   * argument of the plain one's size (a buffer already in it needs no
   * reorder, see `direct` of {@link execute}); undefined otherwise.
   */
  readonly blocked: (Md | undefined)[];

  /**
   * `main`, when given, runs the pass instead of `pd`'s primitive, over the
   * arguments in the layouts `pd` chose for them.
   */
  constructor(
    dnnl: Dnnl,
    pd: Pd,
    args: readonly LayeredArg[],
    main?: (specs: readonly ArgSpec[]) => Runner,
  ) {
    const specs: ArgSpec[] = [];
    this.#buffers = new Array(args.length);
    // Filled, not sparse: callers map over it, and map skips holes (a bf16 input, which has no
    // blocked entry, then escaped the conversion of a blocked tensor to NHWC).
    this.blocked = new Array(args.length).fill(undefined);
    args.forEach((a, index) => {
      const chosen = a.query === undefined ? a.plain : queryMdOf(dnnl, pd, a.query);
      specs.push({ arg: a.arg, md: chosen });
      if (a.query === undefined || dnnl.mdEqual(chosen, a.plain)) return;
      if (a.alias !== undefined && dnnl.mdEqual(chosen, a.alias)) return;
      const sameSize = dnnl.mdBytes(chosen) === dnnl.mdBytes(a.plain);
      if (a.transient && sameSize) this.blocked[index] = chosen;
      const [from, to] = a.output ? [chosen, a.plain] : [a.plain, chosen];
      const reorder = new Primitive(dnnl, dnnl.reorder(from, to), [
        { arg: dnnl.E.argSrc, md: from },
        { arg: dnnl.E.argDst, md: to },
      ]);
      const fill = a.output && a.accumulate
        ? new Primitive(dnnl, dnnl.reorder(a.plain, chosen), [
          { arg: dnnl.E.argSrc, md: a.plain },
          { arg: dnnl.E.argDst, md: chosen },
        ])
        : undefined;
      const bytes = dnnl.mdBytes(chosen);
      const slot = a.transient ? this.#steps.filter((s) => s.scratch === undefined).length : -1;
      const scratch = a.transient ? undefined : new Uint8Array(bytes);
      this.#steps.push({ reorder, fill, scratch, bytes, slot, index, output: Boolean(a.output) });
    });
    this.#main = main?.(specs) ?? new Primitive(dnnl, pd, specs);
    this.implementation = this.#main.implementation ?? dnnl.implName(pd);
  }

  /** oneDNN's name of the primitive that runs the pass, or the other runner's. */
  readonly implementation: string;

  /** How many of the arguments are reordered in or out at a run (a blocked input may skip it). */
  get reorders(): number {
    return this.#steps.length;
  }

  /**
   * Runs on plain `buffers`, given in the order of the args. An input with a
   * `keys` entry (an object that names unchanging contents, such as a tfjs
   * dataId) is not reordered again when the previous run had the same key.
   * Where `direct` is true and the argument has a {@link blocked} layout, its
   * buffer is in that layout already (an input) or is left in it (an output).
   */
  execute(
    buffers: readonly ArrayBufferView[],
    keys?: readonly (object | undefined)[],
    direct?: readonly boolean[],
  ): void {
    const inner = this.#buffers;
    for (let i = 0; i < buffers.length; i++) inner[i] = buffers[i];
    for (const s of this.#steps) {
      if (direct?.[s.index] === true && this.blocked[s.index] !== undefined) continue;
      const scratch = s.scratch ?? scratchSlot(s.slot, s.bytes);
      if (!s.output) {
        const key = s.scratch === undefined ? undefined : keys?.[s.index];
        if (key === undefined || key !== s.last) s.reorder.execute([buffers[s.index], scratch]);
        s.last = key;
      } else if (s.fill !== undefined) {
        s.fill.execute([buffers[s.index], scratch]);
      }
      inner[s.index] = scratch;
    }
    this.#main.execute(inner);
    for (const s of this.#steps) {
      if (s.output && inner[s.index] !== buffers[s.index]) {
        s.reorder.execute([inner[s.index], buffers[s.index]]);
      }
    }
  }
}

/** A map from string keys to built values, creating each once. */
export class Cache<T> {
  readonly #map = new Map<string, T>();

  /**
   * Returns the value for `key` at the current thread count, building it on
   * first use (oneDNN fixes a primitive's threads when it is created).
   */
  get(key: string, build: () => T): T {
    key = `${threadCount()}|${key}`;
    let v = this.#map.get(key);
    if (v === undefined) {
      v = build();
      this.#map.set(key, v);
    }
    return v;
  }

  /** Number of cached entries. */
  get size(): number {
    return this.#map.size;
  }
}
