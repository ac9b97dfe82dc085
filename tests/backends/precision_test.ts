import assert from "node:assert/strict";
import { join } from "node:path";
import { selectPrecision } from "../../backends/precision.ts";
import { tryRegisterNative } from "../../backends/native/mod.ts";
import { readSummary } from "../../rundir/summary.ts";
import { loadExperiment } from "../../experiment/load.ts";
import { overridesFromSettings } from "../../experiment/overrides.ts";
import { runExperiment } from "../../experiment/run.ts";
import { ignore } from "./native/_compare.ts";

const status = await tryRegisterNative();
/** True where this CPU and oneDNN can run bf16 convolutions. */
const bf16Here = status.ok && status.bf16Conv !== null &&
  (status.bf16Support.amxBf16 || status.bf16Support.avx512Bf16);
/** True where `auto` takes bf16: bf16 runs and the CPU has AMX (AVX512-BF16 alone does not pay). */
const autoBf16 = bf16Here && status.ok && status.bf16Support.amxBf16;

Deno.test("selectPrecision() keeps backends without a bf16 path in fp32, and refuses bf16 there", async () => {
  assert.deepEqual(await selectPrecision("fp32", "cpu"), {
    precision: "fp32",
    reason: "precision fp32 (requested)",
    convImplementation: null,
  });
  const auto = await selectPrecision("auto", "wasm");
  assert.equal(auto.precision, "fp32");
  assert.match(auto.reason, /backend 'wasm' computes in fp32 only/);
  await assert.rejects(() => selectPrecision("bf16", "cpu", "--precision"), {
    message: /^--precision is 'bf16', which only the native backend .* AMX-BF16 or AVX512-BF16/,
  });
  await assert.rejects(() => selectPrecision("fp16", "cpu", "--precision"), {
    name: "RangeError",
    message: "--precision must be one of fp32, bf16, auto, got 'fp16'",
  });
});

Deno.test({
  name:
    "selectPrecision() on native: auto picks bf16 only with AMX; bf16 runs with bf16 instructions, else names the ISA",
  ignore,
  async fn() {
    if (!status.ok) return;
    const isa = status.bf16Support.isa;
    const auto = await selectPrecision("auto", "native");
    assert.equal(auto.precision, autoBf16 ? "bf16" : "fp32");
    assert.equal(auto.convImplementation, autoBf16 ? status.bf16Conv : status.conv);
    if (bf16Here) {
      assert.equal((await selectPrecision("bf16", "native")).precision, "bf16");
    } else {
      assert.match(auto.reason, new RegExp(`oneDNN ISA ${isa}\\) has neither`));
      await assert.rejects(() => selectPrecision("bf16", "native", "--precision"), {
        message: new RegExp(
          `^--precision is 'bf16', which needs bf16 kernels on a CPU with AMX-BF16 or ` +
            `AVX512-BF16: this CPU \\(.*, oneDNN ISA ${isa}\\) has neither`,
        ),
      });
    }
    const fp32 = await selectPrecision("fp32", "native");
    assert.equal(fp32.convImplementation, status.conv);
  },
});

Deno.test("the recipe's 'precision' defaults to fp32; --precision sets it; other values are errors", async () => {
  const file = "tests/fixtures/experiments/baseline_cnn.yaml";
  assert.equal((await loadExperiment(file)).precision, "fp32");
  const flags = overridesFromSettings({ precision: "auto" });
  assert.deepEqual(flags, { precision: "auto" });
  assert.equal((await loadExperiment(file, flags)).precision, "auto");
  await assert.rejects(
    () => loadExperiment(file, { precision: "fp16" }, () => "--precision"),
    /--precision.*precision/s,
  );
});

Deno.test({
  name:
    "a native run records its precision and convolution in summary.json; bf16 fails before training",
  ignore,
  async fn() {
    if (!status.ok) return;
    const dir = await Deno.makeTempDir();
    try {
      const base = { backend: "native", epochs: 1, plugins: [] };
      const exp = await loadExperiment("tests/fixtures/experiments/baseline_cnn.yaml", {
        ...base,
        data: { limit: 64 },
        precision: "auto",
      });
      await runExperiment(exp, { dir: join(dir, "auto"), print: false, progress: false });
      const env = (await readSummary(join(dir, "auto", "summary.json"))).environment;
      assert.equal(env.precision, autoBf16 ? "bf16" : "fp32");
      assert.equal(env.conv_implementation, autoBf16 ? status.bf16Conv : status.conv);
      if (bf16Here) return;
      const bf16 = { ...exp, precision: "bf16" as const };
      await assert.rejects(
        () => runExperiment(bf16, { dir: join(dir, "bf16"), print: false, progress: false }),
        /'precision' \(recipe field, or --precision\) is 'bf16'.*oneDNN ISA/,
      );
      const left = await Deno.stat(join(dir, "bf16")).then(() => true, () => false);
      assert.equal(left, false, "a run refused before training leaves no folder");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
