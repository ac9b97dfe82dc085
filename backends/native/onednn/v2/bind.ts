/**
 * {@link Dnnl} over the oneDNN 2.x C API: each primitive descriptor is made
 * from an operation descriptor (`*_desc_init` into a struct of the size
 * `ffi.ts` gives), and memory descriptors are structs held in Uint8Arrays.
 *
 * @module
 */
import {
  type Attr,
  callGemm,
  check,
  dims,
  type Dnnl,
  gemmBf16Of,
  type Md,
  outPointer,
  type Pd,
  type PdOptions,
  type PostOp,
} from "../api.ts";
import type { Threads } from "../threads.ts";
import { copyFrom, cString, pointerOf } from "../../../../core/libc.ts";
import { ENUMS as E, type Lib2, SIZE } from "./ffi.ts";
import { primitiveDescMakers } from "./ops.ts";

const QUERY_IMPL_INFO_STR = 8;
const ITERATOR_ENDS = 4;

const bytes = (md: Md) => md as Uint8Array;

/** The 2.x library `lib`, opened from `path`, as a {@link Dnnl}. */
export function bindV2(lib: Lib2, path: string, version: string, threads: Threads): Dnnl {
  const cell = new BigUint64Array(1);
  check(lib.dnnl_engine_create(cell, 1, 0n), "engine_create"); // dnnl_cpu
  const engine = outPointer(cell);
  check(lib.dnnl_stream_create(cell, engine, 1), "stream_create"); // default flags
  const stream = outPointer(cell);

  const implName = (pd: Pd) => {
    const out = new BigUint64Array(1);
    check(lib.dnnl_primitive_desc_query(pd, QUERY_IMPL_INFO_STR, 0, out), "query impl");
    const ptr = outPointer(out);
    return cString(ptr);
  };

  const create = (desc: Uint8Array, what: string, o: PdOptions = {}): Pd => {
    const attr = o.attr?.ptr ?? null, hint = o.hint ?? null;
    if (o.avoid !== undefined) {
      const out = new BigUint64Array(1);
      if (lib.dnnl_primitive_desc_iterator_create(out, desc, attr, engine, hint) === 0) {
        const it = outPointer(out);
        try {
          do {
            const pd = lib.dnnl_primitive_desc_iterator_fetch(it);
            if (pd !== null && !o.avoid(implName(pd))) return pd;
            if (pd !== null) lib.dnnl_primitive_desc_destroy(pd);
          } while (lib.dnnl_primitive_desc_iterator_next(it) !== ITERATOR_ENDS);
        } finally {
          lib.dnnl_primitive_desc_iterator_destroy(it);
        }
      }
    }
    const out = new BigUint64Array(1);
    check(lib.dnnl_primitive_desc_create(out, desc, attr, engine, hint), `${what} pd create`);
    return outPointer(out);
  };

  return {
    generation: 2,
    path,
    version,
    engine,
    stream,
    threads,
    E,
    isa: () => lib.dnnl_get_effective_cpu_isa(),
    memoryDesc(shape, tag, dt = E.f32) {
      const md = new Uint8Array(SIZE.memoryDesc);
      check(
        lib.dnnl_memory_desc_init_by_tag(md, shape.length, dims(shape), dt, tag),
        `memory_desc_init_by_tag(${shape})`,
      );
      return md;
    },
    memoryDescStrided(shape, strides, dt = E.f32) {
      const md = new Uint8Array(SIZE.memoryDesc);
      check(
        lib.dnnl_memory_desc_init_by_strides(md, shape.length, dims(shape), dt, dims(strides)),
        `memory_desc_init_by_strides(${shape}; ${strides})`,
      );
      return md;
    },
    mdEqual: (a, b) => lib.dnnl_memory_desc_equal(bytes(a), bytes(b)) === 1,
    mdBytes: (md) => Number(lib.dnnl_memory_desc_bytes(bytes(md))),
    queryMd(pd, query) {
      const ptr = lib.dnnl_primitive_desc_query_md(pd, query, 0);
      if (ptr === null) return null;
      const md = new Uint8Array(SIZE.memoryDesc);
      copyFrom(ptr, md);
      // A query for an argument the primitive lacks returns a zero descriptor.
      return lib.dnnl_memory_desc_get_size(ptr) === 0n ? null : md;
    },
    implName,
    destroyPd: (pd) => void lib.dnnl_primitive_desc_destroy(pd),
    attr(postOps: readonly PostOp[], scales = []): Attr {
      check(lib.dnnl_primitive_attr_create(cell), "primitive_attr_create");
      const a = outPointer(cell);
      for (const [arg, v] of scales) {
        check(
          lib.dnnl_primitive_attr_set_scales(a, arg, 1n, 0, new Float32Array([v])),
          "set_scales",
        );
      }
      if (postOps.length > 0) {
        check(lib.dnnl_post_ops_create(cell), "post_ops_create");
        const po = outPointer(cell);
        for (const op of postOps) {
          check(
            "binary" in op
              ? lib.dnnl_post_ops_append_binary(po, op.binary, bytes(op.md))
              : "sum" in op
              ? lib.dnnl_post_ops_append_sum(po, op.sum)
              : lib.dnnl_post_ops_append_eltwise(po, 1, op.eltwise, op.alpha, op.beta ?? 0),
            "post_ops_append",
          );
        }
        check(lib.dnnl_primitive_attr_set_post_ops(a, po), "set_post_ops");
      }
      return { ptr: a, constants: [] };
    },
    ...primitiveDescMakers({ lib, create }),
    reorder(from, to) {
      const out = new BigUint64Array(1);
      check(
        lib.dnnl_reorder_primitive_desc_create(out, bytes(from), engine, bytes(to), engine, null),
        "reorder_primitive_desc_create",
      );
      return outPointer(out);
    },
    primitiveCreate(pd) {
      const out = new BigUint64Array(1);
      check(lib.dnnl_primitive_create(out, pd), "primitive_create");
      return outPointer(out);
    },
    memoryCreate(md, data) {
      const out = new BigUint64Array(1);
      const handle = data === undefined ? null : pointerOf(data);
      check(lib.dnnl_memory_create(out, bytes(md), engine, handle), "memory_create");
      return outPointer(out);
    },
    setDataHandle: (mem, data) =>
      check(lib.dnnl_memory_set_data_handle(mem, data), "set_data_handle"),
    execute: (prim, count, args) =>
      check(lib.dnnl_primitive_execute(prim, stream, count, args), "primitive_execute"),
    sgemm: (...args) => callGemm(lib.dnnl_sgemm, ...args),
    gemmBf16: gemmBf16Of(lib.dnnl_gemm_bf16bf16f32, version, path),
  };
}
