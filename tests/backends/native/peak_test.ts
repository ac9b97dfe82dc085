import assert from "node:assert/strict";
import { CONV_PASSES, type ConvShape, timeConv, timeGemm } from "../../../backends/native/mod.ts";
import { cpuBf16Support } from "../../../backends/native/memory/precision.ts";
import { nativeDnnl } from "../../../backends/native/register.ts";
import { ignore } from "./_compare.ts";

/** A convolution small enough to time in milliseconds: 2×6×6×8 in, 3x3, 8 out. */
const tiny: ConvShape = {
  batch: 2,
  height: 6,
  width: 6,
  inChannels: 8,
  outChannels: 8,
  kernel: [3, 3],
  strides: [1, 1],
  pads: [1, 1, 1, 1],
  bias: false,
};

const precisions = () => {
  const s = cpuBf16Support(nativeDnnl()!);
  return s.avx512Bf16 || s.amxBf16 ? ["fp32", "bf16"] as const : ["fp32"] as const;
};

Deno.test({
  name:
    "timeConv() times each pass of a small convolution at a positive rate, on the threads asked",
  ignore,
  async fn() {
    const threads = nativeDnnl()!.threads;
    const before = threads.count;
    for (const precision of precisions()) {
      for (const pass of CONV_PASSES) {
        const t = await timeConv(tiny, pass, precision, 1, { budgetMs: 5 });
        assert.equal(t.flops, 2 * 2 * 6 * 6 * 8 * 8 * 9);
        assert.ok(t.ms > 0 && t.runs >= 3 && t.threads === 1, JSON.stringify(t));
        assert.ok(t.impl.length > 0);
      }
    }
    // A strided 1x1 convolution with a bias, each pass as training runs it.
    const strided: ConvShape = {
      ...tiny,
      kernel: [1, 1],
      strides: [2, 2],
      pads: [0, 0, 0, 0],
      bias: true,
    };
    for (const pass of CONV_PASSES) {
      const t = await timeConv(strided, pass, "fp32", 1, { budgetMs: 5 });
      assert.equal(t.flops, 2 * 2 * 3 * 3 * 8 * 8);
    }
    assert.equal(threads.count, before, "the threads go back to where they were");
  },
});

Deno.test({
  name: "timeGemm() times a matrix product at a positive rate",
  ignore,
  async fn() {
    for (const precision of precisions()) {
      const shape = { m: 32, n: 16, k: 24, transA: precision === "bf16", transB: true };
      const t = await timeGemm(shape, precision, 1, { budgetMs: 5 });
      assert.equal(t.flops, 2 * 32 * 16 * 24);
      assert.ok(t.ms > 0, JSON.stringify(t));
      assert.equal(t.impl, precision === "fp32" ? "sgemm" : "gemm_bf16bf16f32");
    }
  },
});

Deno.test({
  name: "timeConv() and timeGemm() refuse shapes and thread counts out of range, naming them",
  ignore,
  async fn() {
    assert.throws(() => timeConv({ ...tiny, batch: 0 }, "forward", "fp32", 1), {
      name: "RangeError",
      message: "timeConv: 'batch' must be an integer of at least 1, got 0",
    });
    assert.throws(() => timeConv({ ...tiny, kernel: [9, 9] }, "forward", "fp32", 1), {
      message: "timeConv: the 9x9 filter is larger than the padded 6x6 input",
    });
    assert.throws(() => timeConv(tiny, "sideways" as "forward", "fp32", 1), {
      message: /'pass' must be one of forward, backwardData, backwardWeights, got 'sideways'/,
    });
    await assert.rejects(timeConv(tiny, "forward", "fp32", 0), {
      message: "timeConv: 'threads' must be an integer of at least 1, got 0",
    });
    await assert.rejects(
      timeGemm({ m: 4, n: 4, k: 4, transA: false, transB: false }, "fp16" as "fp32", 1),
      { message: "timeGemm: 'precision' must be fp32 or bf16, got 'fp16'" },
    );
  },
});
