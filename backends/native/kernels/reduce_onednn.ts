/**
 * Sum and Mean of large NHWC tensors over the batch and both image axes (the
 * batch-norm statistics and their gradients, a convolution's bias gradient;
 * in NHWC or a blocked layout) on oneDNN: a pooling primitive
 * averages each image (oneDNN 2.6's reduction primitive runs reference code
 * there, 40× slower than a JS loop), and JS combines the n averages in
 * float64, within 1e-6 relative of the JS float64 sums of `reduce_js.ts`,
 * which serves every other case (`../kernels.ts` sets the size).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { Cache, Layered } from "../onednn/primitives.ts";
import { type Layout, layoutOf, toPlain } from "../memory/layout.ts";
import type { Dnnl } from "../onednn/api.ts";
import {
  allFloat32,
  alloc,
  INPUT_SHAPE_ATTR,
  type KernelArgs,
  output,
  values,
} from "./kernel_args.ts";

type Kernel = (args: KernelArgs) => tf.TensorInfo;

/**
 * Average pooling of `[n, h, w, c]` over whole images, to NHWC `[n, 1, 1, c]`,
 * reading the values in `layout` (a blocked one, `../memory/layout.ts`, or
 * NHWC): a blocked gradient, such as a convolution's bias gradient reads, needs
 * no reorder to NHWC first. The means are written in the layout the pooling
 * chooses and reordered to NHWC (n·c values, a few microseconds).
 */
function imageMeans(dnnl: Dnnl, [n, h, w, c]: readonly number[], layout?: Layout): Layered {
  const E = dnnl.E;
  const src = layout?.md ?? dnnl.memoryDesc([n, c, h, w], E.tagNhwc);
  const dst = dnnl.memoryDesc([n, c, 1, 1], E.tagNhwc);
  const geo = { strides: [h, w], kernel: [h, w], dilates: [0, 0], padL: [0, 0], padR: [0, 0] };
  const any = dnnl.memoryDesc([n, c, 1, 1], E.tagAny);
  return new Layered(dnnl, dnnl.poolForward(E.forwardInference, E.poolAvgExclude, src, any, geo), [
    { arg: E.argSrc, plain: src },
    {
      arg: E.argDst,
      plain: dst,
      query: E.queryDstMd,
      output: true,
    },
  ]);
}

/**
 * The oneDNN Sum and Mean for batch statistics of at least `min` elements;
 * `js` holds the JS kernels of the same names for the rest.
 */
export function reduceOnednnKernels(
  dnnl: Dnnl,
  js: Record<string, Kernel>,
  min: number,
): Record<string, Kernel> {
  const cache = new Cache<Layered>();
  const out: Record<string, Kernel> = {};
  const size = (s: readonly number[]) => s.reduce((p, v) => p * v, 1);

  for (const name of ["Sum", "Mean"] as const) {
    out[name] = (args) => {
      const { x } = args.inputs;
      const attrs = args.attrs as unknown as tf.SumAttrs;
      const axes = x.shape.length === 4 ? tf.util.parseAxisParam(attrs.axis, x.shape) : [];
      const batchStats = axes.length === 3 && [0, 1, 2].every((a) => axes.includes(a));
      if (!allFloat32(x) || !batchStats || size(x.shape) < min) {
        toPlain(args.backend, x);
        return js[name](args);
      }
      (args.attrs as Record<string, unknown>)[INPUT_SHAPE_ATTR] = x.shape;
      const [n, h, w, c] = x.shape;
      const means = new Float32Array(n * c), layout = layoutOf(x);
      cache.get(`means|${x.shape}|${layout?.id}`, () => imageMeans(dnnl, x.shape, layout))
        .execute([values(args.backend, x), means]);
      const scale = name === "Mean" ? 1 / n : h * w;
      const res = alloc(args.backend, c);
      for (let j = 0; j < c; j++) {
        let acc = 0;
        for (let i = j; i < means.length; i += c) acc += means[i];
        res[j] = acc * scale;
      }
      return output(args.backend, attrs.keepDims ? [1, 1, 1, c] : [c], res);
    };
  }
  return out;
}
