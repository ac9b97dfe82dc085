/**
 * The 3.x `*_primitive_desc_create` calls behind the operations of `../api.ts`
 * (convolution, pooling, batch norm, binary, eltwise), for `bind.ts`.
 *
 * @module
 */
import { dims, type Geometry2d, type Makers, type Md, type Pd, type PdOptions } from "../api.ts";
import { ENUMS as E, type Lib3 } from "./ffi.ts";

/** What the makers share with `bind.ts`. */
export interface MakerContext {
  readonly lib: Lib3;
  readonly engine: Deno.PointerValue;
  /** Runs a create call, skipping implementations `o.avoid` names. */
  create(what: string, o: PdOptions, make: (out: BigUint64Array) => number): Pd;
  attrOf(o?: PdOptions): Deno.PointerValue;
  hintOf(o: PdOptions): Deno.PointerValue;
}

const handle = (md: Md) => md as Deno.PointerObject;
const geo = (g: Geometry2d) =>
  [dims(g.strides), dims(g.dilates), dims(g.padL), dims(g.padR)] as const;

/** The makers over `c`'s library and engine. */
export function primitiveDescMakers(c: MakerContext): Makers {
  const { lib, engine, create, attrOf, hintOf } = c;
  const makers: Makers = {
    convForward: (prop, src, wei, bias, dst, g, o = {}) =>
      create("convolution_forward", o, (out) =>
        lib.dnnl_convolution_forward_primitive_desc_create(
          out,
          engine,
          prop,
          o.algorithm ?? E.convDirect,
          handle(src),
          handle(wei),
          bias === null ? null : handle(bias),
          handle(dst),
          ...geo(g),
          attrOf(o),
        )),
    convBackwardData: (diffSrc, wei, diffDst, g, o) =>
      create(
        "convolution_backward_data",
        o,
        (out) =>
          lib.dnnl_convolution_backward_data_primitive_desc_create(
            out,
            engine,
            o.algorithm ?? E.convDirect,
            handle(diffSrc),
            handle(wei),
            handle(diffDst),
            ...geo(g),
            hintOf(o),
            attrOf(o),
          ),
      ),
    convBackwardWeights: (src, diffWei, diffDst, g, o) =>
      create(
        "convolution_backward_weights",
        o,
        (out) =>
          lib.dnnl_convolution_backward_weights_primitive_desc_create(
            out,
            engine,
            o.algorithm ?? E.convDirect,
            handle(src),
            handle(diffWei),
            null,
            handle(diffDst),
            ...geo(g),
            hintOf(o),
            attrOf(o),
          ),
      ),
    poolForward: (prop, alg, src, dst, g, o = {}) =>
      create("pooling_forward", o, (out) =>
        lib.dnnl_pooling_forward_primitive_desc_create(
          out,
          engine,
          prop,
          alg,
          handle(src),
          handle(dst),
          dims(g.strides),
          dims(g.kernel!),
          dims(g.dilates),
          dims(g.padL),
          dims(g.padR),
          null,
        )),
    poolBackward: (alg, diffSrc, diffDst, g, o) =>
      create("pooling_backward", o, (out) =>
        lib.dnnl_pooling_backward_primitive_desc_create(
          out,
          engine,
          alg,
          handle(diffSrc),
          handle(diffDst),
          dims(g.strides),
          dims(g.kernel!),
          dims(g.dilates),
          dims(g.padL),
          dims(g.padR),
          hintOf(o),
          attrOf(o),
        )),
    bnForward: (prop, data, eps, flags, o = {}) =>
      create(
        "batch_normalization_forward",
        o,
        (out) =>
          lib.dnnl_batch_normalization_forward_primitive_desc_create(
            out,
            engine,
            prop,
            handle(data),
            handle(data),
            eps,
            flags,
            attrOf(o),
          ),
      ),
    bnBackward: (data, eps, flags, o) =>
      create(
        "batch_normalization_backward",
        o,
        (out) =>
          lib.dnnl_batch_normalization_backward_primitive_desc_create(
            out,
            engine,
            E.backward,
            handle(data),
            handle(data),
            handle(data),
            eps,
            flags,
            hintOf(o),
            attrOf(o),
          ),
      ),
    binary: (alg, src0, src1, dst, o = {}) =>
      create("binary", o, (out) =>
        lib.dnnl_binary_primitive_desc_create(
          out,
          engine,
          alg,
          handle(src0),
          handle(src1),
          handle(dst),
          attrOf(o),
        )),
    eltwiseForward: (prop, alg, data, alpha, beta) =>
      create("eltwise_forward", {}, (out) =>
        lib.dnnl_eltwise_forward_primitive_desc_create(
          out,
          engine,
          prop,
          alg,
          handle(data),
          handle(data),
          alpha,
          beta,
          null,
        )),
    eltwiseBackward(alg, data, alpha, beta) {
      const hint = makers.eltwiseForward(E.forwardTraining, alg, data, alpha, beta);
      try {
        return create(
          "eltwise_backward",
          {},
          (out) =>
            lib.dnnl_eltwise_backward_primitive_desc_create(
              out,
              engine,
              alg,
              handle(data),
              handle(data),
              handle(data),
              alpha,
              beta,
              hint,
              null,
            ),
        );
      } finally {
        lib.dnnl_primitive_desc_destroy(hint);
      }
    },
  };
  return makers;
}
