import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { buildModel, resnetSpec, summarizeModel } from "../../models/mod.ts";

await tf.setBackend("cpu");

const EXPECTED: Record<string, number> = {
  baseline_cnn: 391_946,
  mini_resnet: 2_797_610,
  resnet18: 11_173_962,
  resnet18_noskip: 11_000_138,
  resnet34: 21_282_122,
  resnet50: 23_520_842,
};

for (const [name, params] of Object.entries(EXPECTED)) {
  Deno.test(`buildModel("${name}") has exactly ${params.toLocaleString("en")} trainable parameters`, () => {
    const model = buildModel(name);
    assert.equal(summarizeModel(model).trainableParams, params);
    model.dispose();
  });
}

Deno.test("summarizeModel() counts depth and FLOPs of resnet18 like the literature", () => {
  const model = buildModel("resnet18");
  const s = summarizeModel(model);
  assert.equal(s.depth, 18);
  // 0.56 G multiply–adds per 32×32 image.
  assert.ok(Math.abs(s.flops / 2 / 1e9 - 0.556) < 0.01, `MACs ${s.flops / 2}`);
  assert.equal(s.totalParams - s.trainableParams, 9_600); // BN moving mean and variance
  model.dispose();
});

Deno.test("resnetSpec() makes width variants in one line and rejects empty stages", () => {
  const wide = buildModel(resnetSpec({ name: "wide_resnet10", layers: [1, 1, 1, 1], width: 16 }));
  assert.equal(wide.name, "wide_resnet10");
  wide.dispose();
  assert.throws(() => resnetSpec({ name: "resnet0", layers: [] }), {
    name: "RangeError",
    message: /Cannot build "resnet0": 'layers' must be non-empty/,
  });
});
