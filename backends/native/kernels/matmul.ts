/**
 * BatchMatMul and _FusedMatMul on oneDNN's row-major `dnnl_sgemm`.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Dnnl } from "../onednn/api.ts";
import { allFloat32, cpuKernel1, type KernelArgs, output, values } from "./kernel_args.ts";

const N = 78; // 'N'
const T = 84; // 'T'

interface FusedAttrs {
  transposeA: boolean;
  transposeB: boolean;
  activation?: string;
}

interface Plan {
  batch: number;
  m: number;
  n: number;
  k: number;
  strideA: number;
  strideB: number;
  outShape: number[];
}

function plan(a: tf.TensorInfo, b: tf.TensorInfo, ta: boolean, tb: boolean): Plan | null {
  const ra = a.shape.length, rb = b.shape.length;
  if (ra < 2 || rb < 2) return null;
  const k = ta ? a.shape[ra - 2] : a.shape[ra - 1];
  if (k !== (tb ? b.shape[rb - 1] : b.shape[rb - 2])) return null;
  const m = ta ? a.shape[ra - 1] : a.shape[ra - 2];
  const n = tb ? b.shape[rb - 2] : b.shape[rb - 1];
  const outerA = a.shape.slice(0, -2), outerB = b.shape.slice(0, -2);
  const batchA = outerA.reduce((p, v) => p * v, 1), batchB = outerB.reduce((p, v) => p * v, 1);
  // Only equal outer shapes, or one side without batch, map onto plain strided GEMMs.
  const same = outerA.length === outerB.length && outerA.every((v, i) => v === outerB[i]);
  if (!same && batchA !== 1 && batchB !== 1) return null;
  // The cpu kernel's output shape: outer dims broadcast, padded to the higher rank.
  const outer = tf.backend_util.assertAndGetBroadcastShape(outerA, outerB);
  return {
    batch: Math.max(batchA, batchB),
    m,
    n,
    k,
    strideA: batchA === 1 ? 0 : m * k,
    strideB: batchB === 1 ? 0 : k * n,
    outShape: [...outer, m, n],
  };
}

/** Builds the matmul kernels bound to one oneDNN instance. */
export function matMulKernels(dnnl: Dnnl): Record<string, (args: KernelArgs) => tf.TensorInfo> {
  function gemm(args: KernelArgs, p: Plan, ta: boolean, tb: boolean): Float32Array {
    const av = values(args.backend, args.inputs.a), bv = values(args.backend, args.inputs.b);
    const out = new Float32Array(p.batch * p.m * p.n);
    const lda = ta ? p.m : p.k, ldb = tb ? p.k : p.n;
    for (let i = 0; i < p.batch; i++) {
      const status = dnnl.sgemm(
        ta ? T : N,
        tb ? T : N,
        p.m,
        p.n,
        p.k,
        av.subarray(i * p.strideA, i * p.strideA + p.m * p.k),
        lda,
        bv.subarray(i * p.strideB, i * p.strideB + p.k * p.n),
        ldb,
        out.subarray(i * p.m * p.n, (i + 1) * p.m * p.n),
        p.n,
      );
      if (status !== 0) throw new Error(`oneDNN sgemm failed (${status})`);
    }
    return out;
  }

  return {
    BatchMatMul(args) {
      const { a, b } = args.inputs;
      const ta = Boolean(args.attrs?.transposeA), tb = Boolean(args.attrs?.transposeB);
      const p = allFloat32(a, b) ? plan(a, b, ta, tb) : null;
      if (p === null || p.m * p.n * p.k === 0) return cpuKernel1("BatchMatMul", args);
      return output(args.backend, p.outShape, gemm(args, p, ta, tb));
    },
    _FusedMatMul(args) {
      const { a, b, bias } = args.inputs;
      const attrs = args.attrs as unknown as FusedAttrs;
      const ta = Boolean(attrs.transposeA), tb = Boolean(attrs.transposeB);
      const act = attrs.activation ?? "linear";
      const p = allFloat32(a, b, bias) ? plan(a, b, ta, tb) : null;
      const biasSize = bias === undefined ? 0 : bias.shape.reduce((q, v) => q * v, 1);
      if (
        p === null || p.m * p.n * p.k === 0 || (act !== "linear" && act !== "relu") ||
        (bias !== undefined && biasSize !== p.n && biasSize !== 1)
      ) {
        return cpuKernel1("_FusedMatMul", args);
      }
      const out = gemm(args, p, ta, tb);
      if (bias !== undefined) {
        const bv = values(args.backend, bias);
        for (let i = 0; i < out.length; i += p.n) {
          for (let j = 0; j < p.n; j++) out[i + j] += biasSize === 1 ? bv[0] : bv[j];
        }
      }
      if (act === "relu") { for (let i = 0; i < out.length; i++) if (out[i] < 0) out[i] = 0; }
      return output(args.backend, p.outShape, out);
    },
  };
}
