/**
 * {@link Dnnl} over the oneDNN 2.x C API: each primitive descriptor is made
 * from an operation descriptor (`*_desc_init` into a struct of the size
 * `ffi.ts` gives), and memory descriptors are structs held in Uint8Arrays.
 *
 * @module
 */
import {
  type Attr,
  check,
  dims,
  type Dnnl,
  type Geometry2d,
  type Md,
  outPointer,
  type Pd,
  type PdOptions,
  type PostOp,
} from "../api.ts";
import type { Threads } from "../threads.ts";
import { ENUMS as E, type Lib2, SIZE } from "./ffi.ts";

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
    return ptr === null ? "" : new Deno.UnsafePointerView(ptr).getCString();
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

  const desc = (size: number, what: string, init: (d: Uint8Array) => number) => {
    const d = new Uint8Array(size);
    check(init(d), `${what}_desc_init`);
    return d;
  };
  const geo = (g: Geometry2d) => [dims(g.strides), dims(g.dilates), dims(g.padL), dims(g.padR)];

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
    mdEqual: (a, b) => lib.dnnl_memory_desc_equal(bytes(a), bytes(b)) === 1,
    mdBytes: (md) => Number(lib.dnnl_memory_desc_bytes(bytes(md))),
    queryMd(pd, query) {
      const ptr = lib.dnnl_primitive_desc_query_md(pd, query, 0);
      if (ptr === null) return null;
      const md = new Uint8Array(SIZE.memoryDesc);
      new Deno.UnsafePointerView(ptr).copyInto(md);
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
              : lib.dnnl_post_ops_append_eltwise(po, 1, op.eltwise, op.alpha, op.beta ?? 0),
            "post_ops_append",
          );
        }
        check(lib.dnnl_primitive_attr_set_post_ops(a, po), "set_post_ops");
      }
      return { ptr: a, constants: [] };
    },
    convForward(prop, src, wei, bias, dst, g, o) {
      const d = desc(
        SIZE.convDesc,
        "convolution_forward",
        (d) =>
          lib.dnnl_dilated_convolution_forward_desc_init(
            d,
            prop,
            E.convDirect,
            bytes(src),
            bytes(wei),
            bias === null ? null : bytes(bias),
            bytes(dst),
            ...geo(g) as [BigInt64Array, BigInt64Array, BigInt64Array, BigInt64Array],
          ),
      );
      return create(d, "convolution_forward", o);
    },
    convBackwardData(diffSrc, wei, diffDst, g, o) {
      const d = desc(
        SIZE.convDesc,
        "convolution_backward_data",
        (d) =>
          lib.dnnl_dilated_convolution_backward_data_desc_init(
            d,
            E.convDirect,
            bytes(diffSrc),
            bytes(wei),
            bytes(diffDst),
            ...geo(g) as [BigInt64Array, BigInt64Array, BigInt64Array, BigInt64Array],
          ),
      );
      return create(d, "convolution_backward_data", o);
    },
    convBackwardWeights(src, diffWei, diffDst, g, o) {
      const d = desc(
        SIZE.convDesc,
        "convolution_backward_weights",
        (d) =>
          lib.dnnl_dilated_convolution_backward_weights_desc_init(
            d,
            E.convDirect,
            bytes(src),
            bytes(diffWei),
            null,
            bytes(diffDst),
            ...geo(g) as [BigInt64Array, BigInt64Array, BigInt64Array, BigInt64Array],
          ),
      );
      return create(d, "convolution_backward_weights", o);
    },
    poolForward(prop, alg, src, dst, g) {
      const d = desc(
        SIZE.poolDesc,
        "pooling_v2_forward",
        (d) =>
          lib.dnnl_pooling_v2_forward_desc_init(
            d,
            prop,
            alg,
            bytes(src),
            bytes(dst),
            dims(g.strides),
            dims(g.kernel!),
            dims(g.dilates),
            dims(g.padL),
            dims(g.padR),
          ),
      );
      return create(d, "pooling_forward");
    },
    poolBackward(alg, diffSrc, diffDst, g, o) {
      const d = desc(
        SIZE.poolDesc,
        "pooling_v2_backward",
        (d) =>
          lib.dnnl_pooling_v2_backward_desc_init(
            d,
            alg,
            bytes(diffSrc),
            bytes(diffDst),
            dims(g.strides),
            dims(g.kernel!),
            dims(g.dilates),
            dims(g.padL),
            dims(g.padR),
          ),
      );
      return create(d, "pooling_backward", o);
    },
    bnForward(prop, data, eps, flags, o) {
      const d = desc(
        SIZE.bnDesc,
        "batch_normalization_forward",
        (d) => lib.dnnl_batch_normalization_forward_desc_init(d, prop, bytes(data), eps, flags),
      );
      return create(d, "batch_normalization_forward", o);
    },
    bnBackward(data, eps, flags, o) {
      const d = desc(
        SIZE.bnDesc,
        "batch_normalization_backward",
        (d) =>
          lib.dnnl_batch_normalization_backward_desc_init(
            d,
            E.backward,
            bytes(data),
            bytes(data),
            eps,
            flags,
          ),
      );
      return create(d, "batch_normalization_backward", o);
    },
    binary(alg, src0, src1, dst, o) {
      const d = desc(
        SIZE.binaryDesc,
        "binary",
        (d) => lib.dnnl_binary_desc_init(d, alg, bytes(src0), bytes(src1), bytes(dst)),
      );
      return create(d, "binary", o);
    },
    eltwiseForward(prop, alg, data, alpha, beta) {
      const d = desc(
        SIZE.eltwiseDesc,
        "eltwise_forward",
        (d) => lib.dnnl_eltwise_forward_desc_init(d, prop, alg, bytes(data), alpha, beta),
      );
      return create(d, "eltwise_forward");
    },
    eltwiseBackward(alg, data, alpha, beta) {
      const d = desc(
        SIZE.eltwiseDesc,
        "eltwise_backward",
        (d) => lib.dnnl_eltwise_backward_desc_init(d, alg, bytes(data), bytes(data), alpha, beta),
      );
      return create(d, "eltwise_backward");
    },
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
      const handle = data === undefined ? null : Deno.UnsafePointer.of(data);
      check(lib.dnnl_memory_create(out, bytes(md), engine, handle), "memory_create");
      return outPointer(out);
    },
    setDataHandle: (mem, data) =>
      check(lib.dnnl_memory_set_data_handle(mem, data), "set_data_handle"),
    execute: (prim, count, args) =>
      check(lib.dnnl_primitive_execute(prim, stream, count, args), "primitive_execute"),
    sgemm: (ta, tb, m, n, k, a, lda, b, ldb, c, ldc) =>
      lib.dnnl_sgemm(
        ta,
        tb,
        BigInt(m),
        BigInt(n),
        BigInt(k),
        1,
        a,
        BigInt(lda),
        b,
        BigInt(ldb),
        0,
        c,
        BigInt(ldc),
      ),
  };
}
