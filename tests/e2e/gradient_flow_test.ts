import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { selectBackend } from "../../backends/mod.ts";
import { BatchPipeline, syntheticDataset } from "../../data/mod.ts";
import { buildModel, resnetSpec } from "../../models/mod.ts";
import { gradientNorms } from "../../plugins/probes/gradient_norms.ts";
import type { LayersModel } from "../../core/tf_types.ts";
import type { Row } from "../../train/types.ts";
import { train } from "../../train/mod.ts";

// wasm (skiplab registers the kernels it lacks): the pure-JS cpu backend takes minutes here.
await selectBackend("wasm");

const DATA = syntheticDataset({ seed: 3, train: 32, val: 16 });
const BATCH = 16, SEED = 2, EPOCHS = 2;
const spec = (skip: boolean) =>
  resnetSpec({ name: skip ? "tiny" : "tiny_noskip", layers: [1, 1], width: 4, dropout: 0, skip });

/** Trains a tiny two-stage ResNet (stage 2 has a projection shortcut) with the probe. */
async function run(model: LayersModel): Promise<Row[]> {
  const result = await train({
    model,
    train: DATA.train,
    val: DATA.val,
    epochs: EPOCHS,
    batchSize: BATCH,
    seed: SEED,
    optimizer: { type: "sgd", lr: 0.05 },
    plugins: [gradientNorms.create(gradientNorms.schema.parse({}))],
  });
  return result.tables.gradients;
}

/**
 * Per weight layer, the L2 norm of the gradient of the mean cross-entropy of
 * the trainer's first batch (same pipeline, seed and order), computed here
 * with tf.variableGrads on the weight layers' variables and a loss written
 * here, not by the trainer's step; the batch-norm statistics are put back.
 */
async function directNorms(model: LayersModel): Promise<Map<string, number>> {
  const pipeline = new BatchPipeline(DATA.train, { batchSize: BATCH, shuffle: true, seed: SEED });
  let batch;
  for await (const b of pipeline.epoch(0)) {
    batch = b;
    break;
  }
  const layers = model.layers.filter((l) =>
    l.getClassName() === "Conv2D" || l.getClassName() === "Dense"
  );
  const vars = layers.flatMap((l) => l.trainableWeights.map((w) => w.read() as tf.Variable));
  const stats = model.nonTrainableWeights.map((w) => tf.clone(w.read()));
  const { value, grads: byName } = tf.variableGrads(() => {
    const p = model.apply(batch!.xs, { training: true }) as tf.Tensor;
    return tf.neg(tf.mean(tf.sum(tf.mul(batch!.ys, tf.log(p)), -1))) as tf.Scalar;
  }, vars);
  const grads = vars.map((v) => byName[v.name]);
  value.dispose();
  model.nonTrainableWeights.forEach((w, i) => w.write(stats[i]));
  const out = new Map<string, number>();
  let k = 0;
  for (const l of layers) {
    const parts = grads.slice(k, k + l.trainableWeights.length);
    k += parts.length;
    out.set(l.name, Math.sqrt(parts.reduce((s, g) => s + tf.sum(tf.square(g)).dataSync()[0], 0)));
  }
  tf.dispose([...grads, ...stats, batch!.xs, batch!.ys]);
  return out;
}

const close = (a: number, b: number, what: string) =>
  assert.ok(Math.abs(a - b) <= 1e-3 * Math.max(1, Math.abs(b)), `${what}: ${a} ≉ ${b}`);

Deno.test("gradient-norms through the trainer: init, epoch and final rows on one main-path axis for skip and no-skip", async () => {
  const rows = new Map<boolean, Row[]>();
  for (const skip of [true, false]) {
    const model = buildModel(spec(skip), { seed: 1 });
    const twin = buildModel(spec(skip), { seed: 1 }); // the same initial weights
    const init = await directNorms(twin);
    const got = await run(model);
    rows.set(skip, got);
    const at = (point: string) => got.filter((r) => r.point === point);
    // Init: one row per weight layer, the first batch's gradient before any update.
    assert.deepEqual(at("init").map((r) => r.layer).sort(), [...init.keys()].sort());
    for (const r of at("init")) {
      close(r.norm as number, init.get(r.layer as string)!, `init ${r.layer}`);
    }
    assert.deepEqual([...new Set(at("epoch").map((r) => r.epoch))], [0, 1]);
    // Final: the same batch with the weights the run ended with.
    const final = await directNorms(model);
    assert.equal(at("final").length, final.size);
    for (const r of at("final")) {
      close(r.norm as number, final.get(r.layer as string)!, `final ${r.layer}`);
    }
    assert.ok(
      at("final").some((r) => Math.abs((r.norm as number) - init.get(r.layer as string)!) > 1e-3),
    );
    model.dispose();
    twin.dispose();
  }
  const main = (skip: boolean, point: string) =>
    rows.get(skip)!.filter((r) => r.point === point && r.path === "main").map((
      r,
    ) => [r.layer, r.depth]);
  for (const point of ["init", "epoch", "final"]) {
    assert.deepEqual(main(true, point), main(false, point));
  }
  assert.deepEqual(main(true, "init").map(([, d]) => d), [0, 1, 2, 3, 4, 5]);
  const shortcuts = rows.get(true)!.filter((r) => r.path === "shortcut" && r.point === "init");
  assert.deepEqual(shortcuts.map((r) => [r.layer, r.depth]), [["stage2_block1_proj_conv", 4]]);
  assert.equal(rows.get(false)!.filter((r) => r.path === "shortcut").length, 0);
});
