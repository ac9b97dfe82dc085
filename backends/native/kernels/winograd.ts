/**
 * skiplab's own Winograd F(4x4, 3x3) convolution, built from oneDNN's matrix
 * products (`dnnl_sgemm`) and reorders, for all three passes of 3x3 stride-1
 * `same` convolutions where oneDNN has no Winograd kernel of its own: CPUs
 * without AVX-512, and oneDNN 3.x everywhere (it dropped them on x86).
 *
 * Per chunk of images, the input is copied into a zero-bordered NHWC buffer,
 * its overlapping 6x6 tiles (stride 4) are gathered into 36 planes of
 * `[tiles × channels]` (four reorders of non-overlapping strided views), and
 * then four products do the rest:
 *
 * - input transform: `V = (Bᵀ⊗Bᵀ) · D`, one `[36 × 36]` by `[36 × tiles·C]` product;
 * - filter transform (once per call): `U = (G⊗G) · W`, `[36 × 9]` by the HWIO
 *   filter as `[9 × C·K]` (flipped for the input gradient), {@link GROUP}
 *   planes at a time where the batch is one chunk;
 * - 36 products `M[ξ] = V[ξ] · U[ξ]`, `[tiles × C]` by `[C × K]`, where the work is;
 * - output transform: `Y = (Aᵀ⊗Aᵀ) · M`, `[16 × 36]` by `[36 × tiles·K]`, whose 4x4
 *   tiles one reorder scatters into the output's layout (NHWC or `nChw{8,16}c`).
 *
 * The filter gradient is the adjoint of that: the output gradient's 4x4 tiles
 * go through `(Aᵀ⊗Aᵀ)ᵀ`, `dU[ξ] = Σ V[ξ]ᵀ · dM[ξ]` sums over the tiles, and
 * `dW = (G⊗G)ᵀ · dU`.
 *
 * Direct convolution does 9 multiply-adds per output and input channel; this
 * does 36/16 = 2.25 in the products, plus the transforms (36 per tile and
 * channel on either side). A bias is added in the transformed domain: `Aᵀ`'s
 * column 1 is all ones, so adding `b` to `M[7]` (ξ = (1, 1)) adds `b` to all 16
 * outputs of a tile. A ReLU, and a residual before it, run as one oneDNN
 * eltwise or binary pass over each chunk's output.
 *
 * Measured alone on 2 vCPUs of an AMD EPYC with AVX2 (oneDNN 2.6, batch 64,
 * milliseconds, direct against this, forward / input gradient / filter
 * gradient): 32x32x64 33–49 / 29–30 / 36–50 against 25–32 / 30–32 / 36–45,
 * 16x16x128 29–34 / 33–49 / 41–67 against 18–19 / 20–22 / 22–28, 8x8x256
 * 28–40 / 24–28 / 33–44 against 14–17 / 14 / 14–15, 4x4x512 45–50 / 28–45 /
 * 51–64 against 16–21 / 16–24 / 21–22 (docs/5-backends.md); error against
 * direct convolution about 1e-5 of the largest value.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import type { Dnnl, Md } from "../onednn/api.ts";
import { type ArgSpec, Primitive } from "../onednn/primitives.ts";
import { nhwc } from "../memory/layout.ts";
import type { Kind } from "./conv2d_primitives.ts";

/** sgemm's "as it is" and "transposed" (the characters 'N' and 'T'). */
const N = 78, T = 84;

/** Name of the implementation, as oneDNN's `implName` names its own. */
export const WINOGRAD_IMPL = "skiplab:winograd_4x3";

/** Tiles per chunk of images: fewer make small, slow products; more leave the caches. */
const MIN_TILES = 256;
/**
 * Planes of the transformed filter made at a time where the whole batch is one
 * chunk (the deep layers, whose filters are largest): 36·512·512 floats would
 * hold 38 MB at once, 6 of the 36 planes hold 6 MB.
 */
const GROUP = 6;

// F(4x4, 3x3) over the points 0, ±1, ±2 and ∞.
const BT = [
  [4, 0, -5, 0, 1, 0],
  [0, -4, -4, 1, 1, 0],
  [0, 4, -4, -1, 1, 0],
  [0, -2, -1, 2, 1, 0],
  [0, 2, -1, -2, 1, 0],
  [0, 4, 0, -5, 0, 1],
];
const G = [
  [1 / 4, 0, 0],
  [-1 / 6, -1 / 6, -1 / 6],
  [-1 / 6, 1 / 6, -1 / 6],
  [1 / 24, 1 / 12, 1 / 6],
  [1 / 24, -1 / 12, 1 / 6],
  [0, 0, 1],
];
const AT = [
  [1, 1, 1, 1, 1, 0],
  [0, 1, -1, 2, -2, 0],
  [0, 1, 1, 4, 4, 0],
  [0, 1, -1, 8, -8, 1],
];
/** ξ = (1, 1): `Aᵀ`'s all-ones column on both sides. */
const BIAS_PLANE = 7;

/** `a ⊗ b`, row-major; with `flip`, the columns of each factor reversed (a filter turned 180°). */
function kron(a: number[][], b: number[][], flip = false): Float32Array {
  const ac = a[0].length, bc = b[0].length, out = new Float32Array(a.length * b.length * ac * bc);
  for (let i = 0; i < a.length; i++) {
    for (let j = 0; j < b.length; j++) {
      for (let k = 0; k < ac; k++) {
        for (let l = 0; l < bc; l++) {
          const col = flip ? (ac - 1 - k) * bc + (bc - 1 - l) : k * bc + l;
          out[(i * b.length + j) * ac * bc + col] = a[i][k] * b[j][l];
        }
      }
    }
  }
  return out;
}
const KB = kron(BT, BT), KG = kron(G, G), KG_FLIPPED = kron(G, G, true), KA = kron(AT, AT);

/**
 * Whether skiplab's Winograd convolution takes `info`: 3x3, stride 1, no
 * dilation, one pixel of padding on every side (`same`), an output whose
 * sides are multiples of 4, and 64 channels or more on each side: below that
 * the transforms cost about what the products save (measured alone on 2 vCPUs
 * of an AMD EPYC with AVX2, oneDNN 2.6, forward / input gradient in ms, direct
 * against this: 128x16x16x32 3.4 / 3.1 against 4.7 / 4.6, 128x8x8x64 3.6 / 6.1
 * against 2.7 / 4.6).
 */
export function ownWinogradFits(info: tf.backend_util.Conv2DInfo): boolean {
  const p = info.padInfo;
  return info.filterHeight === 3 && info.filterWidth === 3 && info.strideHeight === 1 &&
    info.strideWidth === 1 && info.dilationHeight === 1 && info.dilationWidth === 1 &&
    p.top === 1 && p.bottom === 1 && p.left === 1 && p.right === 1 &&
    info.outHeight % 4 === 0 && info.outWidth % 4 === 0 &&
    info.inChannels >= 64 && info.outChannels >= 64;
}

/**
 * The channel block of `md`, an activation of NHWC `shape`: the channel
 * count for NHWC, 4, 8 or 16 for `nChw{4,8,16}c`; undefined for any other
 * layout.
 */
export function channelBlock(dnnl: Dnnl, md: Md, shape: readonly number[]): number | undefined {
  const [n, h, w, c] = shape;
  if (dnnl.mdEqual(md, nhwc(dnnl, shape))) return c;
  for (const b of [4, 8, 16] as const) {
    if (
      c % b === 0 && dnnl.mdEqual(md, dnnl.memoryDesc([n, c, h, w], dnnl.E.tagChannelBlocks[b]))
    ) {
      return b;
    }
  }
  return undefined;
}

/** Strides of the dims `[n, h, w, channel block, channel in block]` of a `block`-blocked tensor. */
function blockedStrides(h: number, w: number, c: number, block: number): number[] {
  return [c * h * w, w * block, block, h * w * block, 1];
}

/** Scratch shared by every Winograd convolution (they run one at a time), grown as needed. */
const none = (): Float32Array => new Float32Array(0);
const scratch = {
  planes: [none(), none(), none()],
  filter: none(),
  padded: none(),
  /** The chunk plan whose zero border `padded` holds (another writes other sizes over it). */
  paddedBy: undefined as object | undefined,
  sum: none(),
  ones: none(),
};
function grown(have: Float32Array, n: number): Float32Array {
  return have.length >= n ? have : new Float32Array(n);
}

interface Chunk {
  images: number;
  tiles: number;
  pad: Primitive;
  gather: { prim: Primitive; from: number; to: number }[];
  /**
   * Between the output-side activation (the output, or the output gradient that the
   * filter gradient reads) and its 4x4 tiles, `[16 × tiles × channels]`: a scatter into
   * it, or for the filter gradient a gather from it.
   */
  tiles4: Primitive;
  /** ReLU in place, or the residual added and then ReLU (from the sum scratch into the output). */
  post?: Primitive;
}

/**
 * A Winograd convolution with {@link Primitive}'s `execute`, over the
 * arguments `specs` that `conv2d_primitives.ts` passes for `kind` (forward:
 * src, weights, [bias], dst; input gradient: diffDst, weights, diffSrc; filter
 * gradient: src, diffDst, diffWeights), the activations in the layouts the
 * specs give and the weights (or their gradient) in HWIO.
 */
export class WinogradConv {
  /** See {@link WINOGRAD_IMPL}. */
  readonly implementation = WINOGRAD_IMPL;
  readonly #dnnl: Dnnl;
  readonly #kind: Kind;
  readonly #n: number;
  readonly #h: number;
  readonly #w: number;
  /**
   * Channels of the input side (src, or diffDst for the input gradient) and of the output
   * side (dst, diffSrc, or for the filter gradient the diffDst it reads).
   */
  readonly #ci: number;
  readonly #co: number;
  readonly #inBlock: number;
  readonly #outBlock: number;
  readonly #chunks = new Map<number, Chunk>();
  readonly #per: number;
  /**
   * Planes of the transformed filter held at once: all 36 when the batch takes
   * several chunks (each chunk reads them all), else {@link GROUP}.
   */
  readonly #group: number;

  constructor(
    dnnl: Dnnl,
    info: tf.backend_util.Conv2DInfo,
    kind: Kind,
    specs: readonly ArgSpec[],
  ) {
    if (!ownWinogradFits(info)) {
      throw new RangeError(
        `skiplab's Winograd convolution needs a 3x3 stride-1 'same' convolution with output ` +
          `sides that are multiples of 4 and 64 channels or more each side, got ` +
          `${info.filterHeight}x${info.filterWidth} stride ${info.strideHeight}, ` +
          `in [${info.inShape}], out [${info.outShape}]`,
      );
    }
    this.#dnnl = dnnl;
    this.#kind = kind;
    const back = kind === "bwdData";
    const [inShape, outShape] = back
      ? [info.outShape, info.inShape]
      : [info.inShape, info.outShape];
    [this.#n, this.#h, this.#w] = inShape;
    this.#ci = inShape[3];
    this.#co = outShape[3];
    const block = (md: Md, shape: readonly number[], what: string) => {
      const b = channelBlock(dnnl, md, shape);
      if (b === undefined) {
        throw new RangeError(
          `skiplab's Winograd convolution reads NHWC or nChw{4,8,16}c ${what}, not this layout`,
        );
      }
      return b;
    };
    this.#inBlock = block(specs[0].md, inShape, "input");
    // The filter gradient reads the output gradient (its second argument) and writes the filter.
    const outSpec = specs[kind === "bwdWeights" ? 1 : specs.length - 1];
    this.#outBlock = block(outSpec.md, outShape, "output");
    const tilesPerImage = (this.#h / 4) * (this.#w / 4);
    this.#per = Math.min(this.#n, Math.ceil(MIN_TILES / tilesPerImage));
    this.#group = this.#per >= this.#n ? GROUP : 36;
  }

  #chunk(images: number): Chunk {
    const have = this.#chunks.get(images);
    if (have !== undefined) return have;
    const dnnl = this.#dnnl, E = dnnl.E;
    const h = this.#h, w = this.#w, ci = this.#ci, co = this.#co;
    const th = h / 4, tw = w / 4, hp = h + 2, wp = w + 2, tiles = images * th * tw;
    const reorder = (dims: number[], from: number[], to: number[]) => {
      const a = dnnl.memoryDescStrided(dims, from), b = dnnl.memoryDescStrided(dims, to);
      return new Primitive(dnnl, dnnl.reorder(a, b), [
        { arg: E.argSrc, md: a },
        { arg: E.argDst, md: b },
      ]);
    };
    const ib = this.#inBlock, ob = this.#outBlock;
    // Into the padded NHWC buffer's interior, from the input's layout.
    const pad = reorder(
      [images, h, w, ci / ib, ib],
      blockedStrides(h, w, ci, ib),
      [hp * wp * ci, wp * ci, ci, ib, 1],
    );
    // 6x6 windows at stride 4 overlap by two rows and columns; oneDNN takes no overlapping
    // view, so rows 0-3 and 4-5 of the windows (and so columns) are gathered apart.
    const gather = [];
    for (const [i0, ni] of [[0, 4], [4, 2]]) {
      for (const [j0, nj] of [[0, 4], [4, 2]]) {
        gather.push({
          prim: reorder(
            [images, th, tw, ni, nj, ci],
            [hp * wp * ci, 4 * wp * ci, 4 * ci, wp * ci, ci, 1],
            [th * tw * ci, tw * ci, ci, 6 * tiles * ci, tiles * ci, 1],
          ),
          from: (i0 * wp + j0) * ci,
          to: (i0 * 6 + j0) * tiles * ci,
        });
      }
    }
    const [sn, sh, sw, sb, sl] = blockedStrides(h, w, co, ob);
    const tiled = [th * tw * co, tw * co, co, 4 * tiles * co, tiles * co, ob, 1];
    const laid = [sn, 4 * sh, 4 * sw, sh, sw, sb, sl];
    const dims4 = [images, th, tw, 4, 4, co / ob, ob];
    const tiles4 = this.#kind === "bwdWeights"
      ? reorder(dims4, laid, tiled)
      : reorder(dims4, tiled, laid);
    // Elementwise passes over the chunk's output, in whatever layout: one flat dimension.
    const flat = dnnl.memoryDesc([images * h * w * co], E.tagA);
    let post: Primitive | undefined;
    if (this.#kind === "fwdBiasSumRelu") {
      const attr = dnnl.attr([{ eltwise: E.eltwiseRelu, alpha: 0 }]);
      post = new Primitive(dnnl, dnnl.binary(E.binaryAdd, flat, flat, flat, { attr }), [
        { arg: E.argSrc, md: flat },
        { arg: E.argSrc1, md: flat },
        { arg: E.argDst, md: flat },
      ], attr.constants);
    } else if (this.#kind === "fwdRelu" || this.#kind === "fwdBiasRelu") {
      post = new Primitive(
        dnnl,
        dnnl.eltwiseForward(E.forwardInference, E.eltwiseRelu, flat, 0, 0),
        [{ arg: E.argSrc, md: flat }, { arg: E.argDst, md: flat }],
      );
    }
    const chunk = { images, tiles, pad, gather, tiles4, post };
    this.#chunks.set(images, chunk);
    return chunk;
  }

  /** Runs on `buffers` in the order of the specs (see the class). */
  execute(buffers: readonly ArrayBufferView[]): void {
    const kind = this.#kind, ci = this.#ci, co = this.#co;
    // Blocked copies arrive as bytes (`Layered`'s scratch): view every buffer as float32.
    const f32 = (i: number) => {
      const b = buffers[i];
      return b instanceof Float32Array
        ? b
        : new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
    };
    const most = 36 * this.#chunk(this.#per).tiles * Math.max(ci, co);
    const planes = scratch.planes = scratch.planes.map((p, i) =>
      i < 2 || kind === "bwdWeights" ? grown(p, most) : p
    );
    // U[ξ] (the transformed filter, or the filter gradient's sums): [36 × ci·co].
    const u = scratch.filter = grown(scratch.filter, this.#group * ci * co);
    if (kind === "bwdWeights") this.#filterGradient(f32(0), f32(1), f32(2), planes, u);
    else this.#convolve(f32(0), f32(1), f32(buffers.length - 1), planes, u, f32(2));
  }

  /** `C = op(A)·op(B) + beta·C` through oneDNN's sgemm, row-major (`op`: {@link N} or {@link T}). */
  #gemm(...args: Parameters<Dnnl["sgemm"]>): void {
    const status = this.#dnnl.sgemm(...args);
    if (status !== 0) throw new Error(`oneDNN sgemm (Winograd convolution) failed: ${status}`);
  }

  /**
   * The chunks of images from `n0` on, each with its input tiles transformed
   * (`V`, `[36 × tiles × ci]`) into `into`, using `work` on the way.
   */
  *#inputTiles(input: Float32Array, work: Float32Array, into: Float32Array) {
    const h = this.#h, w = this.#w, ci = this.#ci, hp = h + 2, wp = w + 2;
    for (let n0 = 0; n0 < this.#n; n0 += this.#per) {
      const c = this.#chunk(Math.min(this.#per, this.#n - n0)), t = c.tiles;
      const padded = scratch.padded = grown(scratch.padded, c.images * hp * wp * ci);
      if (scratch.paddedBy !== c) {
        padded.fill(0);
        scratch.paddedBy = c;
      }
      c.pad.execute([input.subarray(n0 * h * w * ci), padded.subarray((wp + 1) * ci)]);
      for (const g of c.gather) g.prim.execute([padded.subarray(g.from), work.subarray(g.to)]);
      this.#gemm(N, N, 36, t * ci, 36, KB, 36, work, t * ci, into, t * ci);
      yield { n0, c, t };
    }
  }

  /** The forward pass (with its bias and post-ops) or the input gradient. */
  #convolve(
    input: Float32Array,
    weights: Float32Array,
    output: Float32Array,
    [a, b]: Float32Array[],
    u: Float32Array,
    third: Float32Array,
  ): void {
    const kind = this.#kind, h = this.#h, w = this.#w, ci = this.#ci, co = this.#co;
    const bias = kind === "fwdBias" || kind === "fwdBiasRelu" || kind === "fwdBiasSumRelu"
      ? third
      : undefined;
    const back = kind === "bwdData";
    // U[ξ] = (G·g·Gᵀ)[ξ] for every input and output channel pair, from HWIO [9 × ci·co], `group`
    // planes at a time; the input gradient's filter is turned 180° and its channels swapped
    // (read transposed below).
    const group = this.#group, kg = back ? KG_FLIPPED : KG;
    const filterPlanes = (e0: number) =>
      this.#gemm(N, N, group, ci * co, 9, kg.subarray(e0 * 9), 9, weights, ci * co, u, ci * co);
    if (group === 36) filterPlanes(0);
    // Per chunk: V into b; M[ξ] = V[ξ]·U[ξ] into a; Y = (Aᵀ⊗Aᵀ)·M into b.
    for (const { n0, c, t } of this.#inputTiles(input, a, b)) {
      if (bias !== undefined) {
        // Ones are only ever written here: filled once, as the array grows.
        if (scratch.ones.length < t) scratch.ones = new Float32Array(t).fill(1);
        const ones = scratch.ones;
        this.#gemm(N, N, t, co, 1, ones, 1, bias, co, a.subarray(BIAS_PLANE * t * co), co);
      }
      for (let e0 = 0; e0 < 36; e0 += group) {
        if (group < 36) filterPlanes(e0);
        for (let e = e0; e < e0 + group; e++) {
          const v = b.subarray(e * t * ci), m = a.subarray(e * t * co);
          const ue = u.subarray((e - e0) * ci * co);
          const beta = bias !== undefined && e === BIAS_PLANE ? 1 : 0;
          this.#gemm(N, back ? T : N, t, co, ci, v, ci, ue, back ? ci : co, m, co, beta);
        }
      }
      this.#gemm(N, N, 16, t * co, 36, KA, 36, a, t * co, b, t * co);
      const out = output.subarray(n0 * h * w * co, (n0 + c.images) * h * w * co);
      if (kind === "fwdBiasSumRelu") {
        // The output holds the residual: Y into the sum scratch, then relu(Y + residual).
        const sum = scratch.sum = grown(scratch.sum, out.length);
        c.tiles4.execute([b, sum]);
        c.post!.execute([out, sum, out]); // in place on src0, as oneDNN allows
      } else {
        c.tiles4.execute([b, out]);
        c.post?.execute([out, out]);
      }
    }
  }

  /**
   * The filter gradient, the forward pass's adjoint: `dU[ξ] = Σ V[ξ]ᵀ·(A·dy·Aᵀ)[ξ]`
   * over all tiles, then `dW = (G⊗G)ᵀ·dU` into the HWIO gradient.
   */
  #filterGradient(
    input: Float32Array,
    dy: Float32Array,
    dw: Float32Array,
    [a, b, d]: Float32Array[],
    du: Float32Array,
  ): void {
    const h = this.#h, w = this.#w, ci = this.#ci, co = this.#co;
    // With all 36 planes held, dU sums over the chunks and dW comes last; else (one chunk) each
    // group of planes adds its share of dW.
    const group = this.#group;
    for (const { n0, c, t } of this.#inputTiles(input, a, b)) {
      // dy's 4x4 tiles into a, (Aᵀ⊗Aᵀ)ᵀ of them into d: [36 × t × co].
      c.tiles4.execute([dy.subarray(n0 * h * w * co), a]);
      this.#gemm(T, N, 36, t * co, 16, KA, 36, a, t * co, d, t * co);
      for (let e0 = 0; e0 < 36; e0 += group) {
        for (let e = e0; e < e0 + group; e++) {
          const v = b.subarray(e * t * ci), g = d.subarray(e * t * co);
          const m = du.subarray((e - e0) * ci * co);
          this.#gemm(T, N, ci, co, t, v, ci, g, co, m, co, n0 === 0 ? 0 : 1);
        }
        if (group < 36) {
          const kg = KG.subarray(e0 * 9);
          this.#gemm(T, N, 9, ci * co, group, kg, 9, du, ci * co, dw, ci * co, e0 === 0 ? 0 : 1);
        }
      }
    }
    if (group === 36) this.#gemm(T, N, 9, ci * co, 36, KG, 9, du, ci * co, dw, ci * co);
  }
}
