import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { buildModel, createModelRegistry, summarizeModel } from "../../models/mod.ts";
import { depthAxis, type DepthPosition } from "../../models/depth_axis.ts";
import type { LayersModel } from "../../core/tf_types.ts";

await tf.setBackend("cpu");

/** The axis of a built model, from its layers in model order, as the probe derives it. */
function axisOf(model: LayersModel): DepthPosition[] {
  return depthAxis(
    model.layers.filter((l) => l.trainableWeights.length > 0).map((l) => ({
      name: l.name,
      kernel: l.trainableWeights.some((w) => w.originalName.endsWith("/kernel")),
    })),
  );
}

const weightLayers = (model: LayersModel) =>
  model.layers.filter((l) => ["Conv2D", "Dense"].includes(l.getClassName())).map((l) => l.name);

Deno.test("depthAxis() puts resnet18 and resnet18_noskip on one main path, layer by layer as the summary counts it", () => {
  const [skip, noskip] = ["resnet18", "resnet18_noskip"].map((n) => buildModel(n, { seed: 1 }));
  try {
    const main = (m: LayersModel) =>
      axisOf(m).filter((p) => p.path === "main" && weightLayers(m).includes(p.layer));
    const [a, b] = [main(skip), main(noskip)];
    // Stem, 8 blocks × 2 convolutions, the classifier: the depth the model summary reports.
    assert.equal(a.length, 18);
    assert.equal(summarizeModel(skip).depth, a.length);
    assert.equal(summarizeModel(noskip).depth, b.length);
    assert.deepEqual(a, b);
    const expected = ["stem_conv"];
    for (let s = 1; s <= 4; s++) {
      for (let k = 1; k <= 2; k++) {
        expected.push(`stage${s}_block${k}_conv1`, `stage${s}_block${k}_conv2`);
      }
    }
    expected.push("predictions");
    assert.deepEqual(a.map((p) => [p.layer, p.depth]), expected.map((n, i) => [n, i]));
    // Every weight layer of resnet18 the main path leaves out is a projection shortcut.
    const shortcuts = axisOf(skip).filter((p) => p.path === "shortcut");
    assert.deepEqual(
      shortcuts.map((p) => [p.layer, p.depth]),
      [
        ["stage2_block1_proj_conv", 6],
        ["stage2_block1_proj_bn", 6],
        ["stage3_block1_proj_conv", 10],
        ["stage3_block1_proj_bn", 10],
        ["stage4_block1_proj_conv", 14],
        ["stage4_block1_proj_bn", 14],
      ],
    );
    assert.equal(weightLayers(skip).length, a.length + 3);
    assert.equal(axisOf(noskip).filter((p) => p.path === "shortcut").length, 0);
    // Batch norm sits at its convolution's depth.
    const bn = axisOf(skip).find((p) => p.layer === "stage2_block1_bn2")!;
    assert.deepEqual([bn.path, bn.depth], ["main", 6]);
  } finally {
    skip.dispose();
    noskip.dispose();
  }
});

Deno.test("depthAxis() counts every weight layer of each registered model's main path, as the summary does", () => {
  const registry = createModelRegistry();
  for (const name of registry.names()) {
    const model = buildModel(name, { seed: 1 });
    try {
      const main = axisOf(model).filter((p) =>
        p.path === "main" && weightLayers(model).includes(p.layer)
      );
      assert.equal(main.length, summarizeModel(model).depth, name);
      assert.deepEqual(main.map((p) => p.depth), main.map((_, i) => i), name);
      assert.equal(main[0].depth, 0);
      assert.equal(main.at(-1)!.layer, "predictions", name);
    } finally {
      model.dispose();
    }
  }
});
