import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import {
  buildModel,
  cifarResnetSpec,
  createModelRegistry,
  modelVariant,
  summarizeModel,
} from "../../models/mod.ts";
import { depthAxis } from "../../models/depth_axis.ts";
import { trainables } from "../../train/step.ts";
import type { LayersModel } from "../../core/tf_types.ts";

await tf.setBackend("cpu");

// He et al. 2016, Table 6: 0.27M, 0.46M, 0.66M, 0.85M, 1.7M, counted exactly.
const EXPECTED: Record<number, number> = {
  20: 269_722,
  32: 464_154,
  44: 658_586,
  56: 853_018,
  110: 1_727_962,
};

for (const [depth, params] of Object.entries(EXPECTED)) {
  Deno.test(`buildModel("resnet${depth}") and "plain${depth}" have exactly ${params.toLocaleString("en")} trainable parameters and depth ${depth}`, () => {
    for (const name of [`resnet${depth}`, `plain${depth}`]) {
      const model = buildModel(name);
      try {
        const s = summarizeModel(model);
        assert.equal(s.trainableParams, params, name);
        assert.equal(s.depth, Number(depth), name);
        assert.ok(!model.layers.some((l) => l.name.includes("_proj_")), name);
        assert.ok(!model.layers.some((l) => l.name === "dropout"), name);
      } finally {
        model.dispose();
      }
    }
  });
}

/** The main-path depth axis as the trainer and the gradient probe derive it. */
const axisOf = (model: LayersModel) =>
  trainables(model).map((t) => [t.key, t.path, t.depth].join(" "));

Deno.test("plainN and resnetN share one main-path depth axis, weight by weight", () => {
  for (const depth of [20, 56]) {
    const [plain, res] = [`plain${depth}`, `resnet${depth}`].map((n) => buildModel(n));
    try {
      const [a, b] = [axisOf(plain), axisOf(res)];
      assert.deepEqual(a, b);
      assert.ok(a.every((row) => row.includes(" main ")), "no shortcut path without projections");
      const kernels = trainables(res).filter((t) => t.weight === "kernel");
      assert.deepEqual(kernels.map((t) => t.depth), kernels.map((_, i) => i));
      assert.equal(kernels.length, depth);
      // Only the residual net adds its shortcuts; the shortcut layers hold no weights.
      const adds = (m: LayersModel) => m.layers.filter((l) => l.getClassName() === "Add").length;
      assert.equal(adds(plain), 0);
      assert.equal(adds(res), (depth - 2) / 2);
    } finally {
      plain.dispose();
      res.dispose();
    }
  }
});

Deno.test("resnetN with projection shortcuts keeps the main path and adds two 1×1 shortcuts", () => {
  const spec = modelVariant(cifarResnetSpec({ depth: 20 }), { shortcut: "projection" });
  const proj = buildModel(spec);
  const plain = buildModel("plain20");
  try {
    const main = trainables(proj).filter((t) => t.path === "main");
    assert.deepEqual(
      main.map((t) => `${t.key} ${t.depth}`),
      trainables(plain).map((t) => `${t.key} ${t.depth}`),
    );
    const shortcuts = trainables(proj).filter((t) => t.path === "shortcut");
    assert.deepEqual([...new Set(shortcuts.map((t) => t.layer))], [
      "stage2_block1_proj_conv",
      "stage2_block1_proj_bn",
      "stage3_block1_proj_conv",
      "stage3_block1_proj_bn",
    ]);
    // 16·32 + 2·32 and 32·64 + 2·64 more than option A.
    assert.equal(summarizeModel(proj).trainableParams, 269_722 + 576 + 2_176);
  } finally {
    proj.dispose();
    plain.dispose();
  }
});

Deno.test("cifarResnetSpec() rejects a depth that is not 6n + 2, naming it", () => {
  assert.throws(() => cifarResnetSpec({ depth: 18 }), {
    name: "RangeError",
    message: /Cannot build "resnet18": 'depth' must be 6n \+ 2 .* got 18/,
  });
  assert.throws(
    () => modelVariant(createModelRegistry().get("baseline_cnn"), { shortcut: "zero_pad" }),
    {
      name: "RangeError",
      message: /'shortcut' applies to residual networks/,
    },
  );
});

Deno.test("depthAxis() places a zero-padding block's layers on the main path only", () => {
  const model = buildModel("resnet20");
  try {
    const names = model.layers.map((l) => l.name);
    assert.ok(names.includes("stage2_block1_pad") && names.includes("stage3_block1_pad"));
    const axis = depthAxis(
      model.layers.filter((l) => l.trainableWeights.length > 0).map((l) => ({
        name: l.name,
        kernel: l.trainableWeights.some((w) => w.originalName.endsWith("/kernel")),
      })),
    );
    assert.equal(axis.filter((p) => p.path === "shortcut").length, 0);
  } finally {
    model.dispose();
  }
});
