/**
 * The pooling forward pass the kernels build (`poolForwardPd`,
 * backends/native/kernels/pool.ts) against oneDNN's first choice: the
 * implementation it takes on this library and ISA, and the same output,
 * workspace and gradient bytes, on inputs full of ties (the zeros a ReLU
 * leaves), NHWC and blocked.
 */
import assert from "node:assert/strict";
import { ignore, random } from "../_compare.ts";
import { nativeDnnl } from "../../../../backends/native/register.ts";
import { poolForwardPd } from "../../../../backends/native/kernels/pool.ts";
import { Primitive, queryBytes, queryMdOf } from "../../../../backends/native/onednn/primitives.ts";
import type { Dnnl, Geometry2d, Md, Pd } from "../../../../backends/native/onednn/api.ts";

interface Case {
  readonly shape: readonly [number, number, number, number]; // n, c, h, w
  readonly kernel: number;
  readonly stride: number;
  readonly pad: number;
}

const CASES: readonly Case[] = [
  { shape: [8, 32, 16, 16], kernel: 2, stride: 2, pad: 0 },
  { shape: [3, 8, 7, 9], kernel: 2, stride: 2, pad: 0 },
  { shape: [4, 16, 9, 9], kernel: 3, stride: 1, pad: 1 },
  { shape: [4, 16, 9, 9], kernel: 3, stride: 2, pad: 1 },
];

const out = (side: number, c: Case) => Math.floor((side + 2 * c.pad - c.kernel) / c.stride) + 1;

/** Half zeros, the rest small integers: many windows with tied maxima. */
function tied(size: number, seed: number): Float32Array {
  return random(size, seed).map((v) => v < 0 ? 0 : Math.round(v * 3));
}

/** Output and workspace of the forward pass `pd` on `src`, and in training the backward pass's dx. */
function run(
  dnnl: Dnnl,
  pd: Pd,
  alg: number,
  src: Md,
  dst: Md,
  geo: Geometry2d,
  training: boolean,
) {
  const E = dnnl.E;
  const wsBytes = queryBytes(dnnl, pd, E.queryWorkspaceMd);
  const wsMd = wsBytes > 0 ? queryMdOf(dnnl, pd, E.queryWorkspaceMd) : undefined;
  const wsSpec = wsMd === undefined ? [] : [{ arg: E.argWorkspace, md: wsMd }];
  const x = tied(dnnl.mdBytes(src) / 4, 1), y = new Float32Array(dnnl.mdBytes(dst) / 4);
  const ws = new Uint8Array(wsBytes);
  const [srcArg, dstArg] = [{ arg: E.argSrc, md: src }, { arg: E.argDst, md: dst }];
  const fwd = new Primitive(dnnl, pd, [srcArg, dstArg, ...wsSpec]);
  fwd.execute(wsBytes > 0 ? [x, y, ws] : [x, y]);
  if (!training) return { y, ws, dx: undefined, impl: dnnl.implName(pd) };
  const bwdPd = dnnl.poolBackward(alg, src, dst, geo, { hint: pd });
  const [dyArg, dxArg] = [{ arg: E.argDiffDst, md: dst }, { arg: E.argDiffSrc, md: src }];
  const bwd = new Primitive(dnnl, bwdPd, [dyArg, dxArg, ...wsSpec]);
  const dy = random(y.length, 2), dx = new Float32Array(x.length).fill(Number.NaN);
  bwd.execute(wsBytes > 0 ? [dy, dx, ws] : [dy, dx]);
  return { y, ws, dx, impl: dnnl.implName(pd) };
}

function geometry(c: Case, h: number, w: number): Geometry2d {
  const [oh, ow] = [out(h, c), out(w, c)];
  return {
    strides: [c.stride, c.stride],
    kernel: [c.kernel, c.kernel],
    dilates: [0, 0],
    padL: [c.pad, c.pad],
    padR: [(oh - 1) * c.stride + c.kernel - h - c.pad, (ow - 1) * c.stride + c.kernel - w - c.pad],
  };
}

Deno.test({
  name:
    "native pooling forward: oneDNN 2.x's AVX2 kernel passed over, same bytes as its first choice",
  ignore,
  fn() {
    const dnnl = nativeDnnl()!;
    const E = dnnl.E;
    for (const c of CASES) {
      const [n, ch, h, w] = c.shape;
      for (const tag of [E.tagNhwc, E.tagChannelBlocks[8]]) {
        const src = dnnl.memoryDesc([n, ch, h, w], tag);
        const dst = dnnl.memoryDesc([n, ch, out(h, c), out(w, c)], tag);
        const geo = geometry(c, h, w);
        for (const alg of [E.poolMax, E.poolAvgInclude]) {
          for (const prop of [E.forwardTraining, E.forwardInference]) {
            const what = `${JSON.stringify(c)} tag ${tag} alg ${alg} prop ${prop}`;
            const args = [alg, src, dst, geo, prop === E.forwardTraining] as const;
            const first = run(dnnl, dnnl.poolForward(prop, alg, src, dst, geo), ...args);
            const taken = run(dnnl, poolForwardPd(dnnl, prop, alg, src, dst, geo), ...args);
            if (dnnl.generation === 2 && /^jit:avx2?$/.test(first.impl)) {
              assert.equal(taken.impl, "jit:sse41", `${what}: ${taken.impl}`);
            } else {
              assert.equal(taken.impl, first.impl, what);
            }
            assert.deepEqual(taken.y, first.y, `${what}: output`);
            assert.deepEqual(taken.ws, first.ws, `${what}: workspace`);
            assert.deepEqual(taken.dx, first.dx, `${what}: gradient`);
          }
        }
      }
    }
  },
});
