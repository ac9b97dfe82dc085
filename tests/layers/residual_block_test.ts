import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { bottleneckBlock, residualBlock, shortcutKind } from "../../layers/mod.ts";
import { buildModel } from "../../models/mod.ts";

await tf.setBackend("cpu");

function block(inC: number, filters: number, stride: number, skip = true): tf.LayersModel {
  const x = tf.input({ shape: [8, 8, inC] });
  const y = residualBlock(x, { filters, stride, skip, name: "stage2_block1" });
  return tf.model({ inputs: x, outputs: y });
}

const names = (m: tf.LayersModel) => m.layers.map((l) => l.name);

Deno.test("residualBlock() uses an identity shortcut when shape and width match", () => {
  const m = block(16, 16, 1);
  assert.equal(shortcutKind(16, 16, 1, true), "identity");
  assert.ok(names(m).includes("stage2_block1_add"));
  assert.ok(!names(m).some((n) => n.includes("proj")));
  assert.deepEqual(m.outputs[0].shape, [null, 8, 8, 16]);
  m.dispose();
});

Deno.test("residualBlock() projects the shortcut with 1×1 conv + BN when stride or width change", () => {
  for (const [inC, filters, stride] of [[16, 32, 2], [16, 32, 1], [16, 16, 2]]) {
    const m = block(inC, filters, stride);
    assert.ok(names(m).includes("stage2_block1_proj_conv"), `${inC}->${filters}/${stride}`);
    assert.ok(names(m).includes("stage2_block1_proj_bn"));
    const proj = m.getLayer("stage2_block1_proj_conv").getWeights()[0];
    assert.deepEqual(proj.shape, [1, 1, inC, filters]);
    assert.deepEqual(m.outputs[0].shape, [null, 8 / stride, 8 / stride, filters]);
    m.dispose();
  }
});

Deno.test("residualBlock({ skip: false }) has no Add layer and no projection", () => {
  const m = block(16, 32, 2, false);
  assert.ok(!m.layers.some((l) => l.getClassName() === "Add"));
  assert.ok(!names(m).some((n) => n.includes("proj")));
  assert.deepEqual(names(m).slice(1), [
    "stage2_block1_conv1",
    "stage2_block1_bn1",
    "stage2_block1_relu1",
    "stage2_block1_conv2",
    "stage2_block1_bn2",
    "stage2_block1_out",
  ]);
  m.dispose();
});

Deno.test("resnet18_noskip has no Add layer anywhere; resnet18 has one per block", () => {
  const adds = (name: string) => {
    const m = buildModel(name);
    const n = m.layers.filter((l) => l.getClassName() === "Add").length;
    m.dispose();
    return n;
  };
  assert.equal(adds("resnet18"), 8);
  assert.equal(adds("resnet18_noskip"), 0);
});

Deno.test("bottleneckBlock() expands to 4× width and names its third conv", () => {
  const x = tf.input({ shape: [8, 8, 16] });
  const m = tf.model({
    inputs: x,
    outputs: bottleneckBlock(x, { filters: 8, stride: 2, name: "b" }),
  });
  assert.deepEqual(m.outputs[0].shape, [null, 4, 4, 32]);
  assert.ok(names(m).includes("b_conv3") && names(m).includes("b_proj_conv"));
  m.dispose();
});

Deno.test("residualBlock() rejects a stride other than 1 or 2", () => {
  const x = tf.input({ shape: [8, 8, 4] });
  assert.throws(() => residualBlock(x, { filters: 4, stride: 3, name: "s1b1" }), {
    name: "RangeError",
    message: /"s1b1": 'stride' must be 1 or 2, got 3/,
  });
});
