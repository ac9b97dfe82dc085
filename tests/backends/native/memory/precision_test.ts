import assert from "node:assert/strict";
import {
  bf16ConvImplementation,
  type Bf16Support,
  bf16SupportOfIsa,
  cpuBf16Support,
  isaName,
  resolvePrecision,
  setNativePrecision,
} from "../../../../backends/native/memory/precision.ts";
import { openDnnl } from "../../../../backends/native/onednn/open.ts";
import { convRunsAs } from "../../../../backends/native/kernels/conv2d.ts";
import * as tf from "@tensorflow/tfjs";
import { NATIVE_BACKEND } from "../../../../backends/native/mod.ts";
import { ignore, random, runOn } from "../_compare.ts";

const AMD: Bf16Support = { amxBf16: false, avx512Bf16: false, model: "AMD EPYC", isa: "avx2" };
const AMX: Bf16Support = {
  amxBf16: true,
  avx512Bf16: true,
  model: "Xeon",
  isa: "avx512_core_amx",
};

Deno.test("bf16SupportOfIsa() reads AVX512-BF16 and AMX from oneDNN's ISA values", () => {
  // dnnl_cpu_isa_t: avx2 0x7, avx512_core 0x27, avx512_core_bf16 0xe7, avx512_core_amx 0x3e7.
  const of = (isa: number) => {
    const s = bf16SupportOfIsa(isa, "CPU");
    return [s.avx512Bf16, s.amxBf16];
  };
  assert.deepEqual(of(0x7), [false, false]);
  assert.deepEqual(of(0x27), [false, false]);
  assert.deepEqual(of(0x67), [false, false]);
  assert.deepEqual(of(0xe7), [true, false]);
  assert.deepEqual(of(0x3e7), [true, true]);
  assert.deepEqual(of(0x407), [false, false]); // avx2_vnni
  assert.equal(bf16SupportOfIsa(0x7, "CPU").isa, "avx2");
  assert.equal(bf16SupportOfIsa(0x3e7, "CPU").isa, "avx512_core_amx");
  assert.equal(isaName(0x1234), "isa 0x1234");
});

Deno.test("resolvePrecision(): auto stays fp32 without bf16 instructions, bf16 fails saying why", () => {
  assert.equal(resolvePrecision("fp32", AMX, "brgconv:avx512_core_amx_bf16").precision, "fp32");
  const auto = resolvePrecision("auto", AMD, null);
  assert.equal(auto.precision, "fp32");
  assert.match(auto.reason, /AMD EPYC, oneDNN ISA avx2\) has neither .*no avx512_core_bf16 or amx/);
  assert.throws(() => resolvePrecision("bf16", AMD, null, true, "--precision"), {
    message: new RegExp(
      "^--precision is 'bf16', which needs bf16 kernels on a CPU with AMX-BF16 or " +
        "AVX512-BF16: this CPU \\(AMD EPYC, oneDNN ISA avx2\\) has neither",
    ),
  });
  // Flags but no bf16 convolution in this oneDNN: still fp32, and bf16 says so.
  assert.equal(resolvePrecision("auto", AMX, null).precision, "fp32");
  assert.throws(() => resolvePrecision("bf16", AMX, null), { message: /offers no bf16 conv/ });
  // Everything there but skiplab's bf16 kernels: fp32, saying so.
  const impl = "brgconv:avx512_core_amx_bf16";
  assert.equal(resolvePrecision("auto", AMX, impl, false).precision, "fp32");
  assert.throws(() => resolvePrecision("bf16", AMX, impl, false), { message: /no bf16 path yet/ });
  // AVX512-BF16 without AMX: auto stays fp32 (little faster here), bf16 runs if asked.
  const avx512 = bf16SupportOfIsa(0xe7, "AMD EPYC");
  const zen = resolvePrecision("auto", avx512, "jit_bf16:avx512_core_bf16", true);
  assert.equal(zen.precision, "fp32");
  assert.match(zen.reason, /AVX512-BF16 without AMX, .*ask for 'bf16'/);
  assert.equal(
    resolvePrecision("bf16", avx512, "jit_bf16:avx512_core_bf16", true).precision,
    "bf16",
  );
  const amx = resolvePrecision("auto", AMX, impl, true);
  assert.equal(amx.precision, "bf16");
  assert.match(amx.reason, /brgconv:avx512_core_amx_bf16/);
  assert.equal(resolvePrecision("bf16", AMX, impl, true).precision, "bf16");
  assert.throws(() => resolvePrecision("fp16", AMD, null), {
    name: "RangeError",
    message: "'precision' must be one of fp32, bf16, auto, got 'fp16'",
  });
});

Deno.test({
  name:
    "convRunsAs() names what runs fp32, bf16ConvImplementation() bf16 only where the CPU has it",
  ignore,
  fn() {
    const dnnl = openDnnl(1);
    const f32 = convRunsAs(dnnl);
    assert.ok(f32 !== null && f32.length > 0, `fp32 convolution: ${f32}`);
    const bf16 = bf16ConvImplementation(dnnl);
    const cpu = cpuBf16Support(dnnl);
    // oneDNN 2.6 has bf16 convolutions on AVX-512 CPUs only (AVX2: none).
    if ((dnnl.isa() & 0x27) !== 0x27) assert.equal(bf16, null);
    const choice = resolvePrecision("auto", cpu, bf16);
    assert.equal(
      choice.precision,
      bf16 !== null && cpu.amxBf16 ? "bf16" : "fp32",
    );
  },
});

/** A convolution's output and both gradients on native, in `precision`. */
function convStep(precision: "fp32" | "bf16"): Float32Array[] {
  setNativePrecision(precision);
  try {
    return runOn(NATIVE_BACKEND, () => {
      const x = tf.tensor4d(random(4 * 8 * 8 * 16, 1), [4, 8, 8, 16]);
      const f = tf.tensor4d(random(3 * 3 * 16 * 16, 2), [3, 3, 16, 16]).mul(0.2);
      const loss = (a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, "same")));
      const y = tf.conv2d(x, f as tf.Tensor4D, 1, "same");
      return [y, ...tf.grads(loss)([x, f])];
    });
  } finally {
    setNativePrecision("fp32");
  }
}

Deno.test({
  name:
    "native bf16 convolutions: a clear error where oneDNN has none, fp32's values within bf16 where it has",
  ignore,
  fn() {
    const dnnl = openDnnl(1);
    const want = convStep("fp32");
    if (bf16ConvImplementation(dnnl) === null) {
      const isa = isaName(dnnl.isa(), dnnl.generation);
      assert.throws(() => convStep("bf16"), {
        message: new RegExp(
          `oneDNN \\d+\\.\\d+\\.\\d+ has no bf16 convolution \\(fwd\\) on this CPU ` +
            `\\(instruction set ${isa}\\): bf16 needs AMX-BF16 or AVX512-BF16`,
        ),
      });
    } else {
      const got = convStep("bf16");
      want.forEach((w, k) => {
        const scale = Math.max(...w.map(Math.abs));
        const err = Math.max(...w.map((v, i) => Math.abs(v - got[k][i]))) / scale;
        assert.ok(err < 2e-2, `output ${k}: relative error ${err} (bf16 has 8 mantissa bits)`);
      });
    }
    // The fp32 path is untouched by the attempt.
    assert.deepEqual(convStep("fp32"), want);
  },
});
