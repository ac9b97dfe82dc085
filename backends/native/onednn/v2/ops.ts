/**
 * The 2.x operation descriptors (`*_desc_init` into structs of the sizes
 * `ffi.ts` gives) behind the operations of `../api.ts`, each turned into a
 * primitive descriptor by `bind.ts`'s `create`.
 *
 * @module
 */
import {
  check,
  dims,
  type Geometry2d,
  type Makers,
  type Md,
  type Pd,
  type PdOptions,
} from "../api.ts";
import { ENUMS as E, type Lib2, SIZE } from "./ffi.ts";

/** What the makers share with `bind.ts`. */
export interface MakerContext {
  readonly lib: Lib2;
  /** A primitive descriptor from operation descriptor `desc`, skipping what `o.avoid` names. */
  create(desc: Uint8Array, what: string, o?: PdOptions): Pd;
}

const bytes = (md: Md) => md as Uint8Array;

/** The makers over `c`'s library. */
export function primitiveDescMakers(c: MakerContext): Makers {
  const { lib, create } = c;
  const desc = (size: number, what: string, init: (d: Uint8Array) => number) => {
    const d = new Uint8Array(size);
    check(init(d), `${what}_desc_init`);
    return d;
  };
  const geo = (g: Geometry2d) => [dims(g.strides), dims(g.dilates), dims(g.padL), dims(g.padR)];

  return {
    convForward(prop, src, wei, bias, dst, g, o) {
      const d = desc(
        SIZE.convDesc,
        "convolution_forward",
        (d) =>
          lib.dnnl_dilated_convolution_forward_desc_init(
            d,
            prop,
            o?.algorithm ?? E.convDirect,
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
            o?.algorithm ?? E.convDirect,
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
            o?.algorithm ?? E.convDirect,
            bytes(src),
            bytes(diffWei),
            null,
            bytes(diffDst),
            ...geo(g) as [BigInt64Array, BigInt64Array, BigInt64Array, BigInt64Array],
          ),
      );
      return create(d, "convolution_backward_weights", o);
    },
    poolForward(prop, alg, src, dst, g, o) {
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
      return create(d, "pooling_forward", o);
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
  };
}
