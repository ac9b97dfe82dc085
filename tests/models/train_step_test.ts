import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { selectBackend } from "../../backends/mod.ts";
import { buildModel, createModelRegistry } from "../../models/mod.ts";
import { gradientStep, trainables } from "../../train/step.ts";
import { Optimizer } from "../../train/optimizer.ts";

// The fastest backend that trains here: one step of resnet50 takes minutes on cpu.
const backend = await selectBackend("auto");
console.log(`one training step of every model on ${backend.name}`);

// One image of every class: a deep net at initialisation can put ~all probability on one
// class (resnet110 does); the loss from logits still gives every image a gradient.
const BATCH = 10;

for (const name of createModelRegistry().names()) {
  Deno.test(`buildModel("${name}") trains one Adam step on a [${BATCH},32,32,3] batch (one image per class) with a finite loss and no leak`, () => {
    const before = tf.memory().numTensors;
    const model = buildModel(name, { seed: 1 });
    const infos = trainables(model);
    const opt = new Optimizer({ type: "adam", lr: 1e-3 });
    const xs = tf.randomNormal([BATCH, 32, 32, 3], 0, 1, "float32", 7) as tf.Tensor4D;
    const ys = tf.tidy(() =>
      tf.oneHot(tf.range(0, BATCH, 1, "int32") as tf.Tensor1D, 10).cast("float32") as tf.Tensor2D
    );
    const first = infos[0].variable.clone();
    const { loss, correct, grads } = gradientStep(model, infos, { xs, ys });
    opt.apply(
      new Map(infos.map((i) => [i.key, { variable: i.variable, grad: grads.get(i.key)! }])),
    );
    const l = loss.dataSync()[0];
    assert.ok(Number.isFinite(l) && l > 0, `loss ${l}`);
    assert.equal(grads.size, infos.length);
    const moved = tf.tidy(() => tf.any(tf.notEqual(first, infos[0].variable)).dataSync()[0]);
    assert.ok(moved, "the first kernel moved");
    tf.dispose([loss, correct, xs, ys, first, ...grads.values()]);
    opt.dispose();
    model.dispose();
    assert.equal(tf.memory().numTensors, before);
  });
}
