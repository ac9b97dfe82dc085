/**
 * {@link Dnnl} over the oneDNN 3.x C API: primitive descriptors straight from
 * arguments, memory descriptors as opaque handles. Three differences from 2.x
 * show here rather than in the kernels:
 * - backward primitives need their forward primitive descriptor as a hint
 *   (eltwise's is made on the spot);
 * - argument scales are read at run time from memory (`DNNL_ARG_ATTR_SCALES |
 *   arg`), so an {@link Attr} carries them as constant arguments;
 * - a memory descriptor is freed with `dnnl_memory_desc_destroy`: each handle
 *   made here is, once JavaScript drops it (oneDNN copies descriptors into the
 *   primitive descriptors and memory objects made from them).
 *
 * @module
 */
import {
  type Attr,
  callGemm,
  check,
  type Constant,
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
import { addressOf, cString, pointerAt, pointerOf } from "../../../../core/libc.ts";
import { ARG_ATTR_SCALES, ENUMS as E, type Lib3 } from "./ffi.ts";
import { primitiveDescMakers } from "./ops.ts";

const QUERY_IMPL_INFO_STR = 8;
const SUCCESS = 0;

const handle = (md: Md) => md as Deno.PointerObject;

/** The 3.x library `lib`, opened from `path`, as a {@link Dnnl}. */
export function bindV3(lib: Lib3, path: string, version: string, threads: Threads): Dnnl {
  const cell = new BigUint64Array(1);
  check(lib.dnnl_engine_create(cell, 1, 0n), "engine_create"); // dnnl_cpu
  const engine = outPointer(cell);
  check(lib.dnnl_stream_create(cell, engine, 1), "stream_create"); // default flags
  const stream = outPointer(cell);
  const freeMd = new FinalizationRegistry<bigint>((address) => {
    lib.dnnl_memory_desc_destroy(pointerAt(address));
  });
  const owned = (ptr: Deno.PointerValue): Md => {
    if (ptr === null) throw new Error("oneDNN returned a null memory descriptor");
    freeMd.register(ptr, addressOf(ptr));
    return ptr;
  };

  const implName = (pd: Pd) => {
    const out = new BigUint64Array(1);
    check(lib.dnnl_primitive_desc_query(pd, QUERY_IMPL_INFO_STR, 0, out), "query impl");
    const ptr = outPointer(out);
    return cString(ptr);
  };

  /** Runs a `*_primitive_desc_create` call, skipping implementations `o.avoid` names. */
  const create = (what: string, o: PdOptions, make: (out: BigUint64Array) => number): Pd => {
    const out = new BigUint64Array(1);
    check(make(out), `${what}_primitive_desc_create`);
    const pd = outPointer(out);
    if (o.avoid === undefined) return pd;
    do {
      if (!o.avoid(implName(pd))) return pd;
    } while (lib.dnnl_primitive_desc_next_impl(pd) === SUCCESS);
    // Only avoided ones exist: take oneDNN's first choice after all.
    lib.dnnl_primitive_desc_destroy(pd);
    return create(what, {}, make);
  };
  const attrOf = (o: PdOptions = {}) => o.attr?.ptr ?? null;
  const hintOf = (o: PdOptions) => o.hint ?? null;

  const memoryDesc = (shape: readonly number[], tag: number, dt: number = E.f32): Md => {
    const out = new BigUint64Array(1);
    check(
      lib.dnnl_memory_desc_create_with_tag(out, shape.length, dims(shape), dt, tag),
      `memory_desc_create_with_tag(${shape})`,
    );
    return owned(outPointer(out));
  };

  return {
    generation: 3,
    path,
    version,
    engine,
    stream,
    threads,
    E,
    isa: () => lib.dnnl_get_effective_cpu_isa(),
    memoryDesc,
    memoryDescStrided(shape, strides, dt = E.f32) {
      const out = new BigUint64Array(1);
      check(
        lib.dnnl_memory_desc_create_with_strides(
          out,
          shape.length,
          dims(shape),
          dt,
          dims(strides),
        ),
        `memory_desc_create_with_strides(${shape}; ${strides})`,
      );
      return owned(outPointer(out));
    },
    mdEqual: (a, b) => lib.dnnl_memory_desc_equal(handle(a), handle(b)) === 1,
    mdBytes: (md) => Number(lib.dnnl_memory_desc_get_size(handle(md))),
    queryMd(pd, query) {
      const ptr = lib.dnnl_primitive_desc_query_md(pd, query, 0);
      if (ptr === null || lib.dnnl_memory_desc_get_size(ptr) === 0n) return null;
      const out = new BigUint64Array(1);
      check(lib.dnnl_memory_desc_clone(out, ptr), "memory_desc_clone");
      return owned(outPointer(out));
    },
    implName,
    destroyPd: (pd) => void lib.dnnl_primitive_desc_destroy(pd),
    attr(postOps: readonly PostOp[], scales = []): Attr {
      check(lib.dnnl_primitive_attr_create(cell), "primitive_attr_create");
      const a = outPointer(cell);
      const constants: Constant[] = [];
      for (const [arg, v] of scales) {
        check(lib.dnnl_primitive_attr_set_scales_mask(a, arg, 0), "set_scales_mask");
        constants.push({
          arg: ARG_ATTR_SCALES | arg,
          md: memoryDesc([1], E.tagA),
          data: new Float32Array([v]),
        });
      }
      if (postOps.length > 0) {
        check(lib.dnnl_post_ops_create(cell), "post_ops_create");
        const po = outPointer(cell);
        for (const op of postOps) {
          check(
            "binary" in op
              ? lib.dnnl_post_ops_append_binary(po, op.binary, handle(op.md))
              : "sum" in op
              // No zero point, and the destination's own data type (dnnl_data_type_undef).
              ? lib.dnnl_post_ops_append_sum(po, op.sum, 0, 0)
              : lib.dnnl_post_ops_append_eltwise(po, op.eltwise, op.alpha, op.beta ?? 0),
            "post_ops_append",
          );
        }
        check(lib.dnnl_primitive_attr_set_post_ops(a, po), "set_post_ops");
      }
      return { ptr: a, constants };
    },
    ...primitiveDescMakers({ lib, engine, create, attrOf, hintOf }),
    reorder(from, to) {
      const out = new BigUint64Array(1);
      check(
        lib.dnnl_reorder_primitive_desc_create(out, handle(from), engine, handle(to), engine, null),
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
      const ptr = data === undefined ? null : pointerOf(data);
      check(lib.dnnl_memory_create(out, handle(md), engine, ptr), "memory_create");
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
