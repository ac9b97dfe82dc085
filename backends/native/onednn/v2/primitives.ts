/**
 * Thin helpers over the oneDNN 2.x C API: memory descriptors, and compiled
 * primitives executed on caller-owned Float32Arrays (no copies), cached by key.
 *
 * @module
 */
import { check, type Dnnl, E, outPointer, SIZE } from "./ffi.ts";
import { threadCount } from "../threads.ts";
import { addressOf, copyFrom, cString } from "../../../../core/libc.ts";

/** Packs up to 12 dimensions into a `dnnl_dims_t`. */
export function dims(values: readonly number[]): BigInt64Array {
  const out = new BigInt64Array(SIZE.dims);
  values.forEach((v, i) => out[i] = BigInt(v));
  return out;
}

/** A memory descriptor of logical `shape` in format `tag`, of data type `dt` (default f32). */
export function memoryDesc(
  dnnl: Dnnl,
  shape: readonly number[],
  tag: number,
  dt: number = E.f32,
): Uint8Array {
  const md = new Uint8Array(SIZE.memoryDesc);
  check(
    dnnl.lib.dnnl_memory_desc_init_by_tag(md, shape.length, dims(shape), dt, tag),
    `memory_desc_init_by_tag(${shape})`,
  );
  return md;
}

/** A primitive attribute that applies ReLU after the primitive's result. */
export function reluAttr(dnnl: Dnnl): Deno.PointerValue {
  const cell = new BigUint64Array(1);
  check(dnnl.lib.dnnl_post_ops_create(cell), "post_ops_create");
  const ops = outPointer(cell);
  check(dnnl.lib.dnnl_post_ops_append_eltwise(ops, 1, E.eltwiseRelu, 0, 0), "append_eltwise");
  check(dnnl.lib.dnnl_primitive_attr_create(cell), "primitive_attr_create");
  const attr = outPointer(cell);
  check(dnnl.lib.dnnl_primitive_attr_set_post_ops(attr, ops), "set_post_ops");
  return attr;
}

/** Creates a primitive descriptor from an op descriptor. */
export function primitiveDesc(
  dnnl: Dnnl,
  opDesc: Uint8Array,
  attr: Deno.PointerValue = null,
  hint: Deno.PointerValue = null,
): Deno.PointerValue {
  const cell = new BigUint64Array(1);
  check(
    dnnl.lib.dnnl_primitive_desc_create(cell, opDesc, attr, dnnl.engine, hint),
    "primitive_desc_create",
  );
  return outPointer(cell);
}

const QUERY_IMPL_INFO_STR = 8;
const ITERATOR_ENDS = 4;

/** The name of the implementation a primitive descriptor chose, e.g. `jit:avx2`. */
export function implName(dnnl: Dnnl, pd: Deno.PointerValue): string {
  const cell = new BigUint64Array(1);
  check(dnnl.lib.dnnl_primitive_desc_query(pd, QUERY_IMPL_INFO_STR, 0, cell), "query impl");
  const ptr = outPointer(cell);
  return cString(ptr);
}

/**
 * Like {@link primitiveDesc}, but skipping implementations `avoid` names
 * while another one exists (oneDNN lists them fastest first on idle cores).
 */
export function primitiveDescAvoiding(
  dnnl: Dnnl,
  opDesc: Uint8Array,
  avoid: (impl: string) => boolean,
  hint: Deno.PointerValue = null,
): Deno.PointerValue {
  const cell = new BigUint64Array(1);
  const status = dnnl.lib.dnnl_primitive_desc_iterator_create(
    cell,
    opDesc,
    null,
    dnnl.engine,
    hint,
  );
  if (status !== 0) return primitiveDesc(dnnl, opDesc, null, hint);
  const it = outPointer(cell);
  try {
    do {
      const pd = dnnl.lib.dnnl_primitive_desc_iterator_fetch(it);
      if (pd !== null && !avoid(implName(dnnl, pd))) return pd;
      if (pd !== null) dnnl.lib.dnnl_primitive_desc_destroy(pd);
    } while (dnnl.lib.dnnl_primitive_desc_iterator_next(it) !== ITERATOR_ENDS);
  } finally {
    dnnl.lib.dnnl_primitive_desc_iterator_destroy(it);
  }
  return primitiveDesc(dnnl, opDesc, null, hint);
}

/** One argument of a primitive: its DNNL_ARG_* and memory descriptor. */
export interface ArgSpec {
  readonly arg: number;
  readonly md: Uint8Array | Deno.PointerValue;
}

/**
 * A compiled primitive whose memory objects are re-pointed at each call.
 *
 * oneDNN keeps each data pointer from set_data_handle until the execute after
 * it, so the arrays must not move in between. Typed arrays do not under Deno:
 * its V8 keeps none inside the JS heap (Deno's FFI asserts
 * `TYPED_ARRAY_MAX_SIZE_IN_HEAP == 0`), and ArrayBuffer contents never move;
 * tests/backends/native/onednn/v2/ffi_memory_test.ts checks both with collections forced
 * into that window.
 */
export class Primitive {
  readonly #dnnl: Dnnl;
  readonly #prim: Deno.PointerValue;
  readonly #mems: Deno.PointerValue[] = [];
  readonly #args: Uint8Array;

  constructor(dnnl: Dnnl, pd: Deno.PointerValue, specs: readonly ArgSpec[]) {
    this.#dnnl = dnnl;
    const cell = new BigUint64Array(1);
    check(dnnl.lib.dnnl_primitive_create(cell, pd), "primitive_create");
    this.#prim = outPointer(cell);
    this.#args = new Uint8Array(SIZE.execArg * specs.length);
    const view = new DataView(this.#args.buffer);
    specs.forEach((s, i) => {
      const status = s.md instanceof Uint8Array
        ? dnnl.lib.dnnl_memory_create(cell, s.md, dnnl.engine, null)
        : dnnl.lib.dnnl_memory_create_from_md_ptr(cell, s.md, dnnl.engine, null);
      check(status, `memory_create(arg ${s.arg})`);
      const mem = outPointer(cell);
      this.#mems.push(mem);
      view.setInt32(i * SIZE.execArg, s.arg, true);
      view.setBigUint64(i * SIZE.execArg + 8, addressOf(mem), true);
    });
  }

  /** Runs the primitive on `buffers`, given in the order of the arg specs. */
  execute(buffers: readonly ArrayBufferView[]): void {
    const lib = this.#dnnl.lib;
    this.#dnnl.threads.tick();
    for (let i = 0; i < buffers.length; i++) {
      check(lib.dnnl_memory_set_data_handle(this.#mems[i], buffers[i]), "set_data_handle");
    }
    check(
      lib.dnnl_primitive_execute(this.#prim, this.#dnnl.stream, buffers.length, this.#args),
      "primitive_execute",
    );
  }
}

/** Bytes of the memory a primitive descriptor wants for `query` (e.g. workspace). */
export function queryBytes(dnnl: Dnnl, pd: Deno.PointerValue, query: number): number {
  const md = dnnl.lib.dnnl_primitive_desc_query_md(pd, query, 0);
  return md === null ? 0 : Number(dnnl.lib.dnnl_memory_desc_get_size(md));
}

/** Memory descriptor pointer a primitive descriptor reports for `query`. */
export function queryMd(dnnl: Dnnl, pd: Deno.PointerValue, query: number): Deno.PointerValue {
  return dnnl.lib.dnnl_primitive_desc_query_md(pd, query, 0);
}

/** A copy of the memory descriptor a primitive descriptor chose for `query`. */
export function queryMdCopy(dnnl: Dnnl, pd: Deno.PointerValue, query: number): Uint8Array {
  const ptr = dnnl.lib.dnnl_primitive_desc_query_md(pd, query, 0);
  if (ptr === null) throw new Error(`oneDNN reports no memory descriptor for query ${query}`);
  const md = new Uint8Array(SIZE.memoryDesc);
  copyFrom(ptr, md);
  return md;
}

/** One argument of a {@link Layered} primitive. */
export interface LayeredArg {
  /** DNNL_ARG_* of the argument. */
  readonly arg: number;
  /** The caller's plain layout. */
  readonly plain: Uint8Array;
  /** dnnl_query_*_md that reports the layout the primitive chose, if it was left free. */
  readonly query?: number;
  /** True for results (reordered back to the plain layout after the run). */
  readonly output?: boolean;
  /**
   * True when the argument's blocked copy need not outlive the run (activations,
   * not weights reused by key): its scratch memory is shared by all primitives.
   */
  readonly transient?: boolean;
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
  readonly #main: Primitive;
  readonly #steps: {
    reorder: Primitive;
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
  readonly blocked: (Uint8Array | undefined)[];

  constructor(dnnl: Dnnl, pd: Deno.PointerValue, args: readonly LayeredArg[]) {
    const specs: ArgSpec[] = [];
    this.#buffers = new Array(args.length);
    this.blocked = new Array(args.length);
    args.forEach((a, index) => {
      const chosen = a.query === undefined ? a.plain : queryMdCopy(dnnl, pd, a.query);
      specs.push({ arg: a.arg, md: chosen });
      if (a.query === undefined || dnnl.lib.dnnl_memory_desc_equal(chosen, a.plain) === 1) return;
      const sameSize = dnnl.lib.dnnl_memory_desc_bytes(chosen) ===
        dnnl.lib.dnnl_memory_desc_bytes(a.plain);
      if (a.transient && sameSize) this.blocked[index] = chosen;
      const [from, to] = a.output ? [chosen, a.plain] : [a.plain, chosen];
      const cell = new BigUint64Array(1);
      check(
        dnnl.lib.dnnl_reorder_primitive_desc_create(cell, from, dnnl.engine, to, dnnl.engine, null),
        "reorder_primitive_desc_create",
      );
      const reorder = new Primitive(dnnl, outPointer(cell), [
        { arg: E.argSrc, md: from },
        { arg: E.argDst, md: to },
      ]);
      const bytes = Number(dnnl.lib.dnnl_memory_desc_bytes(chosen));
      const slot = a.transient ? this.#steps.filter((s) => s.scratch === undefined).length : -1;
      const scratch = a.transient ? undefined : new Uint8Array(bytes);
      this.#steps.push({ reorder, scratch, bytes, slot, index, output: Boolean(a.output) });
    });
    this.#main = new Primitive(dnnl, pd, specs);
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
