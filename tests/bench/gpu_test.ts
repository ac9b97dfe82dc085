import assert from "node:assert/strict";
import { UserError } from "../../core/errors.ts";
import { gpuSuite, LOSS_TOLERANCE } from "../../bench/gpu.ts";
import { findWebgpuAdapter } from "../../backends/mod.ts";
import { BACKENDS_UNDER_TEST } from "../backends/_helpers.ts";

// _helpers.ts prints the skip, and fails it where SKIPLAB_REQUIRE_WEBGPU=1.
const webgpu = BACKENDS_UNDER_TEST.find((b) => b.name === "webgpu")!;
const adapter = webgpu.skip === null ? await findWebgpuAdapter() : null;

const TINY = ["--models", "baseline_cnn", "--width", "0.25", "--steps", "3", "--batch", "8"];

Deno.test({
  name: "gpuSuite refuses a software adapter without --accept-software, naming it and the flag",
  ignore: adapter === null || !adapter.isFallbackAdapter,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await assert.rejects(() => gpuSuite.run(TINY), (e: Error) => {
      assert.ok(e instanceof UserError);
      assert.ok(e.message.includes(adapter!.description));
      assert.match(e.message, /software one.*--accept-software/);
      return true;
    });
  },
});

Deno.test({
  name:
    "gpuSuite trains the same steps on webgpu and the best CPU backend and finds their losses within tolerance",
  ignore: adapter === null,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const rows = await gpuSuite.run([...TINY, "--accept-software"]);
    const names = rows.map((r) => r.name);
    assert.equal(names[0], "baseline_cnn train webgpu");
    assert.match(names[1], /^baseline_cnn train (native|wasm|cpu)$/);
    assert.equal(names[2], "baseline_cnn loss difference");
    assert.ok(rows[0].value > 0 && rows[1].value > 0);
    assert.ok(rows[2].value <= LOSS_TOLERANCE, `difference ${rows[2].value}`);
    assert.match(rows[0].note ?? "", /batch 8, width 0\.25/);
  },
});
