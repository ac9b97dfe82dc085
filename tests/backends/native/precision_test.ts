import assert from "node:assert/strict";
import {
  type Bf16Support,
  bf16SupportOfIsa,
  convImplementation,
  cpuBf16Support,
  resolvePrecision,
} from "../../../backends/native/_precision.ts";
import { openDnnl } from "../../../backends/native/_ffi.ts";
import { ignore } from "./_compare.ts";

const AMD: Bf16Support = { amxBf16: false, avx512Bf16: false, model: "AMD EPYC" };
const AMX: Bf16Support = { amxBf16: true, avx512Bf16: true, model: "Xeon" };

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
});

Deno.test("resolvePrecision(): auto stays fp32 without bf16 instructions, bf16 fails saying why", () => {
  assert.equal(resolvePrecision("fp32", AMX, "brgconv:avx512_core_amx_bf16").precision, "fp32");
  const auto = resolvePrecision("auto", AMD, null);
  assert.equal(auto.precision, "fp32");
  assert.match(auto.reason, /AMD EPYC.*no avx512_core_bf16 or amx/);
  assert.throws(() => resolvePrecision("bf16", AMD, null), {
    message:
      /precision 'bf16' needs bf16 kernels on a CPU with AMX-BF16 or AVX512-BF16: this CPU \(AMD EPYC\)/,
  });
  // Flags but no bf16 convolution in this oneDNN: still fp32, and bf16 says so.
  assert.equal(resolvePrecision("auto", AMX, null).precision, "fp32");
  assert.throws(() => resolvePrecision("bf16", AMX, null), { message: /offers no bf16 conv/ });
  // Everything there but skiplab's bf16 kernels: fp32, saying so.
  const impl = "brgconv:avx512_core_amx_bf16";
  assert.equal(resolvePrecision("auto", AMX, impl, false).precision, "fp32");
  assert.throws(() => resolvePrecision("bf16", AMX, impl, false), { message: /no bf16 path yet/ });
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
  name: "convImplementation() names oneDNN's fp32 choice, and bf16's only where the CPU has it",
  ignore,
  fn() {
    const dnnl = openDnnl(1);
    const f32 = convImplementation(dnnl, "f32");
    assert.ok(f32 !== null && f32.length > 0, `fp32 convolution: ${f32}`);
    const bf16 = convImplementation(dnnl, "bf16");
    const cpu = cpuBf16Support(dnnl);
    // oneDNN 2.6 has bf16 convolutions on AVX-512 CPUs only (AVX2: none).
    if ((dnnl.lib.dnnl_get_effective_cpu_isa() & 0x27) !== 0x27) assert.equal(bf16, null);
    const choice = resolvePrecision("auto", cpu, bf16);
    assert.equal(
      choice.precision,
      bf16 !== null && (cpu.amxBf16 || cpu.avx512Bf16) ? "bf16" : "fp32",
    );
  },
});
